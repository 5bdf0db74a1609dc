# Stands in for emqx/emqx:5.8.9: the broker of build/Sandbox/standins/emqx, at EMQX's paths (etc/emqx.conf,
# bin/emqx for `emqx ctl status`). Context: build/Sandbox/standins, with node_modules installed by the build.
ARG BASE=local/node:trixie
FROM ${BASE}
COPY package.json /opt/emqx/standin/
COPY node_modules /opt/emqx/standin/node_modules
COPY emqx /opt/emqx/standin/emqx
# EMQX's image runs as its emqx user, uid 1000 (deploy/docker/Dockerfile at v5.8.9): so does the stand-in, so that
# a file the broker cannot read (a certificate kept 0600 by root) fails here as it fails there
RUN mkdir -p /opt/emqx/etc /opt/emqx/data /opt/emqx/log \
 && printf '#!/bin/sh\nexec node /opt/emqx/standin/emqx/main.mjs "$@"\n' > /opt/emqx/bin-emqx \
 && mkdir -p /opt/emqx/bin && mv /opt/emqx/bin-emqx /opt/emqx/bin/emqx && chmod 755 /opt/emqx/bin/emqx \
 && groupadd -r -g 1000 emqx && useradd -r -m -u 1000 -g emqx emqx \
 && chown -R emqx:emqx /opt/emqx/etc /opt/emqx/data /opt/emqx/log
USER emqx
WORKDIR /opt/emqx
EXPOSE 1883 8083 18083
CMD ["/opt/emqx/bin/emqx", "foreground"]
