//! YAML source → JSON value, keeping where every node came from.
//!
//! Suite files are parsed with saphyr into a marked tree, then turned into a plain
//! `serde_json::Value` (which the JSON Schema validator and the typed model read) plus a
//! [`SpanMap`] from JSON Pointer to source position, so that every later error — schema,
//! catalogue, duplicate id — can point at a line and column of the original file.

use std::collections::HashMap;

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use serde_json::{Map, Value};

pub use crate::vocab::Pos;

/// JSON Pointer → position of the node (for mapping values) and of the key (for members).
#[derive(Clone, Debug, Default)]
pub struct SpanMap {
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
    /// Positions worked out when the binary was built (an embedded suite's mappings and
    /// sequences), sorted by pointer: `(pointer, line, column)`.
    built: Vec<(&'static str, usize, usize)>,
}

impl SpanMap {
    /// The positions of an embedded suite, worked out at build time (see `build.rs`): one
    /// `pointer<TAB>line<TAB>column` line each, sorted by pointer. Text, not a table of
    /// string slices: a static table of slices is relocated at every start of the binary,
    /// whatever the command.
    pub fn built(positions: &'static str) -> SpanMap {
        let built = positions
            .lines()
            .filter_map(|l| {
                let mut parts = l.split('\t');
                let pointer = parts.next()?;
                let line = parts.next()?.parse().ok()?;
                let col = parts.next()?.parse().ok()?;
                Some((pointer, line, col))
            })
            .collect();
        SpanMap {
            built,
            ..SpanMap::default()
        }
    }

    /// Where each mapping and sequence of `value` starts, sorted by pointer: what `build.rs`
    /// keeps of an embedded suite (a scalar's position only ever appears in an error, and the
    /// loader reports none for those suites).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn containers(&self, value: &Value) -> Vec<(String, Pos)> {
        let mut out: Vec<(String, Pos)> = self
            .values
            .iter()
            .filter(|(p, _)| {
                value
                    .pointer(p)
                    .is_some_and(|v| v.is_object() || v.is_array())
            })
            .map(|(p, pos)| (p.clone(), *pos))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    fn lookup(&self, pointer: &str) -> Option<Pos> {
        self.values.get(pointer).copied().or_else(|| {
            self.built
                .binary_search_by(|(p, _, _)| (*p).cmp(pointer))
                .ok()
                .map(|i| Pos {
                    line: self.built[i].1,
                    col: self.built[i].2,
                })
        })
    }

    /// Position of the value at `pointer`, falling back to its nearest ancestor.
    pub fn value(&self, pointer: &str) -> Pos {
        let mut p = pointer.to_string();
        loop {
            if let Some(pos) = self.lookup(&p) {
                return pos;
            }
            match p.rfind('/') {
                Some(i) => p.truncate(i),
                None => return Pos { line: 1, col: 1 },
            }
        }
    }

    /// Position of the key of the member at `pointer` (the value's position if unknown).
    pub fn key(&self, pointer: &str) -> Pos {
        self.keys
            .get(pointer)
            .copied()
            .unwrap_or_else(|| self.value(pointer))
    }
}

/// The strings of a converted sequence (non-strings left out; nothing when it is not one): how
/// the loader and `build.rs` read lists such as `requirements` and `tags`.
pub fn str_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A syntax error in the YAML itself.
#[derive(Debug)]
pub struct YamlSyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// Escapes one JSON Pointer reference token (RFC 6901).
pub fn escape_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

pub fn parse(source: &str) -> Result<(Value, SpanMap), YamlSyntaxError> {
    let docs = MarkedYaml::load_from_str(source).map_err(|e| YamlSyntaxError {
        pos: Pos {
            line: e.marker().line(),
            col: e.marker().col() + 1,
        },
        message: e.info().to_string(),
    })?;
    let mut spans = SpanMap::default();
    let Some(doc) = docs.first() else {
        return Ok((Value::Null, spans));
    };
    if docs.len() > 1 {
        let pos = docs[1].span.start;
        return Err(YamlSyntaxError {
            pos: Pos {
                line: pos.line(),
                col: pos.col() + 1,
            },
            message: "a suite file holds exactly one YAML document".into(),
        });
    }
    let value = convert(doc, "", &mut spans)?;
    Ok((value, spans))
}

fn pos_of(node: &MarkedYaml) -> Pos {
    Pos {
        line: node.span.start.line(),
        col: node.span.start.col() + 1,
    }
}

fn convert(
    node: &MarkedYaml,
    pointer: &str,
    spans: &mut SpanMap,
) -> Result<Value, YamlSyntaxError> {
    spans.values.insert(pointer.to_string(), pos_of(node));
    Ok(match &node.data {
        YamlData::Value(scalar) => scalar_to_json(scalar),
        YamlData::Representation(text, _, _) => Value::String(text.to_string()),
        YamlData::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(convert(item, &format!("{pointer}/{i}"), spans)?);
            }
            Value::Array(out)
        }
        YamlData::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map.iter() {
                let key = match &k.data {
                    YamlData::Value(Scalar::String(s)) => s.to_string(),
                    YamlData::Value(other) => match scalar_to_json(other) {
                        Value::String(s) => s,
                        v => v.to_string(),
                    },
                    _ => {
                        return Err(YamlSyntaxError {
                            pos: pos_of(k),
                            message: "mapping keys must be plain strings".into(),
                        });
                    }
                };
                let child = format!("{pointer}/{}", escape_token(&key));
                spans.keys.insert(child.clone(), pos_of(k));
                if out.contains_key(&key) {
                    return Err(YamlSyntaxError {
                        pos: pos_of(k),
                        message: format!("duplicate key `{key}`"),
                    });
                }
                let value = convert(v, &child, spans)?;
                out.insert(key, value);
            }
            Value::Object(out)
        }
        YamlData::Tagged(_, inner) => convert(inner, pointer, spans)?,
        YamlData::Alias(_) => {
            return Err(YamlSyntaxError {
                pos: pos_of(node),
                message: "YAML aliases are not supported in suite files".into(),
            });
        }
        YamlData::BadValue => {
            return Err(YamlSyntaxError {
                pos: pos_of(node),
                message: "invalid YAML value".into(),
            });
        }
    })
}

fn scalar_to_json(s: &Scalar) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::from(*i),
        Scalar::FloatingPoint(f) => serde_json::Number::from_f64(f.into_inner())
            .map(Value::Number)
            .unwrap_or(Value::Null),
        Scalar::String(s) => Value::String(s.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions() {
        let (v, spans) = parse("a: 1\nb:\n  - x\n  - y: true\n").expect("parses");
        assert_eq!(v["b"][1]["y"], Value::Bool(true));
        assert_eq!(spans.value("/b/1/y"), Pos { line: 4, col: 8 });
        assert_eq!(spans.key("/b"), Pos { line: 2, col: 1 });
        assert_eq!(spans.value("/b/9/zz"), spans.value("/b"));
    }

    #[test]
    fn rejects_duplicate_keys() {
        let err = parse("a: 1\na: 2\n").expect_err("duplicate");
        assert_eq!(err.pos.line, 2);
    }

    #[test]
    fn reports_syntax_errors() {
        let err = parse("a: [1, 2\n").expect_err("unclosed");
        assert!(err.pos.line >= 1);
    }
}
