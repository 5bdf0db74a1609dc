# Stands in for journeyapps/powersync-service (the version of its @powersync/service-schema): the service of
# build/Sandbox/standins/powersync, on 8080, reading POWERSYNC_CONFIG_PATH. Context: build/Sandbox/standins.
ARG BASE=local/node:trixie
FROM ${BASE}
WORKDIR /app
COPY package.json /app/
COPY node_modules /app/node_modules
COPY powersync /app/powersync
EXPOSE 8080
ENTRYPOINT ["node", "/app/powersync/main.mjs"]
CMD ["start"]
