# The release image: authspec's static (musl) binary on distroless/static, as a non-root user.
# distroless/static has no shell and no libc, but it has the CA certificates authspec's TLS
# verifier reads from the system (rustls-platform-verifier), which scratch lacks.
#
# release.yml lays the binaries out as dist/linux/<arch>/authspec, then builds both platforms:
#   docker buildx build --platform linux/amd64,linux/arm64 .
# By hand, from a static build:
#   mkdir -p dist/linux/amd64 && cp target/x86_64-unknown-linux-musl/release/authspec dist/linux/amd64/
#   docker build -t authspec . && docker run --rm authspec run --target https://mcp.example.com/mcp
FROM gcr.io/distroless/static-debian12:nonroot
ARG TARGETARCH
COPY --chmod=0755 dist/linux/${TARGETARCH}/authspec /usr/local/bin/authspec
USER nonroot:nonroot
WORKDIR /home/nonroot
ENTRYPOINT ["authspec"]
CMD ["--help"]
