# Stands in for emqx/emqx:5.8.9: the broker of build/Sandbox/standins/emqx, at EMQX's paths (etc/emqx.conf,
# bin/emqx for `emqx ctl status`). Context: build/Sandbox/standins, with node_modules installed by the build.
ARG BASE=local/node:trixie
FROM ${BASE}
COPY package.json /opt/emqx/standin/
COPY node_modules /opt/emqx/standin/node_modules
COPY emqx /opt/emqx/standin/emqx
RUN mkdir -p /opt/emqx/etc /opt/emqx/data /opt/emqx/log \
 && printf '#!/bin/sh\nexec node /opt/emqx/standin/emqx/main.mjs "$@"\n' > /opt/emqx/bin-emqx \
 && mkdir -p /opt/emqx/bin && mv /opt/emqx/bin-emqx /opt/emqx/bin/emqx && chmod 755 /opt/emqx/bin/emqx
WORKDIR /opt/emqx
EXPOSE 1883 8083 18083
CMD ["/opt/emqx/bin/emqx", "foreground"]
