#!/usr/bin/env bash
# From the workplace recipes (shared/recipes/build-local-images.sh), kept here so that CI has it.
# Build local Docker images from Debian trixie packages. Nothing is pulled from any
# image registry; only the Debian mirror is used (for debootstrap and apt).
#   local/trixie:base               debootstrap --variant=minbase trixie | docker import
#   local/pg17-timescaledb:trixie   postgresql-17 + postgresql-17-timescaledb (Apache-2 edition)
#   local/node:trixie               nodejs (20.19.x) + npm (9.2.x)
#   local/caddy:trixie              caddy (2.6.2)
# Idempotent: an image that already exists is skipped. FORCE=1 rebuilds everything.
# APT_MODE=auto (default): apt runs inside `docker build`; if that build fails, the
#   packages are installed with chroot into an exported copy of the base rootfs instead.
#   APT_MODE=build / APT_MODE=chroot force one way.
# Needs root (debootstrap, chroot, mount), docker, and the Debian mirror. Where images can be pulled, the base
# image is Debian's own (PULL_BASE=0 to debootstrap anyway).
set -euo pipefail

W=${IMG_WORKDIR:-${TMPDIR:-/tmp}/local-images}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SEC_MIRROR=${DEBIAN_SECURITY_MIRROR:-${MIRROR%/debian}/debian-security}
FORCE=${FORCE:-0}
APT_MODE=${APT_MODE:-auto}
mkdir -p "$W"

have() { [ "$FORCE" = 0 ] && docker image inspect "$1" >/dev/null 2>&1; }
now() { date +%s; }

# Pin the mirror's address into build containers (apt then needs no DNS in the build).
NET=()
for url in "$MIRROR" "$SEC_MIRROR"; do
  h=${url#*://}; h=${h%%/*}; h=${h%%:*}
  ip=$(getent ahostsv4 "$h" 2>/dev/null | awk 'NR==1{print $1}' || true)
  if [ -n "$ip" ] && [[ " ${NET[*]-} " != *" $h:"* ]]; then NET+=(--add-host "$h:$ip"); fi
done

# ---------------------------------------------------------------- base image
# Where an image registry answers (a GitHub runner), Debian's own trixie image with the same apt and dpkg settings
# stands in for the debootstrap below; here nothing can be pulled, and `docker pull` fails at once (no DNS).
pull_base() {
  local ctx=$W/pulled-base from=${BASE_IMAGE:-debian:trixie}
  timeout 180 docker pull -q "$from" >/dev/null 2>&1 || return 1
  rm -rf "$ctx"; mkdir -p "$ctx"
  printf '#!/bin/sh\nexit 101\n' > "$ctx/policy-rc.d"
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$ctx/99no-recommends"
  printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\npath-exclude /usr/share/locale/*\npath-include /usr/share/locale/locale.alias\n' > "$ctx/docker-slim"
  printf 'FROM %s\nCOPY policy-rc.d /usr/sbin/policy-rc.d\nCOPY 99no-recommends /etc/apt/apt.conf.d/99no-recommends\nCOPY docker-slim /etc/dpkg/dpkg.cfg.d/docker-slim\nRUN chmod 755 /usr/sbin/policy-rc.d\nENV LANG=C.UTF-8\n' "$from" > "$ctx/Dockerfile"
  docker build -q -t local/trixie:base "$ctx" >/dev/null
  rm -rf "$ctx"
}

build_base() {
  if have local/trixie:base; then echo "== skip local/trixie:base (exists)"; return; fi
  if [ "${PULL_BASE:-1}" = 1 ] && pull_base; then echo "== local/trixie:base from ${BASE_IMAGE:-debian:trixie} (pulled)"; return; fi
  local t0 R=$W/rootfs-trixie; t0=$(now)
  command -v debootstrap >/dev/null || { apt-get update; apt-get install -y debootstrap; }
  # bookworm's debootstrap (1.0.128+nmu2+deb12u2) ships trixie -> sid; older ones may not
  [ -e /usr/share/debootstrap/scripts/trixie ] || ln -s sid /usr/share/debootstrap/scripts/trixie
  rm -rf --one-file-system "$R"
  debootstrap --variant=minbase trixie "$R" "$MIRROR"
  rm -f "$R/etc/apt/sources.list"
  cat > "$R/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SEC_MIRROR
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"; chmod 755 "$R/usr/sbin/policy-rc.d"
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
    > "$R/etc/apt/apt.conf.d/99no-recommends"
  cat > "$R/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  : > "$R/etc/resolv.conf"; echo localhost > "$R/etc/hostname"
  rm -rf "$R"/var/cache/apt/archives/*.deb "$R"/var/lib/apt/lists/* "$R"/var/log/*.log "$R"/var/log/apt/*
  tar -C "$R" -c . | docker import -c 'CMD ["/bin/bash"]' -c 'ENV LANG=C.UTF-8' - local/trixie:base
  rm -rf --one-file-system "$R"
  echo "== built local/trixie:base in $(( $(now) - t0 ))s"
}

# ------------------------------------------- chroot fallback: base + packages
# chroot_deps NAME PKG... -> image local/trixie:NAME-deps with PKG... installed
chroot_deps() {
  local name=$1; shift
  local R=$W/rootfs-$name cid
  rm -rf --one-file-system "$R"; mkdir -p "$R"
  cid=$(docker create local/trixie:base)
  docker export "$cid" | tar -C "$R" -x
  docker rm "$cid" >/dev/null
  rm -f "$R/.dockerenv"
  cp /etc/resolv.conf "$R/etc/resolv.conf"
  mkdir -p "$R/etc/postgresql-common/createcluster.d"
  echo 'create_main_cluster = false' > "$R/etc/postgresql-common/createcluster.d/no-main-cluster.conf"
  mount -t proc proc "$R/proc"
  local rc=0
  chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get update && apt-get install -y --no-install-recommends "$@" && apt-get clean && rm -rf /var/lib/apt/lists/*' \
    sh "$@" || rc=$?
  umount "$R/proc"
  if mountpoint -q "$R/proc"; then echo "$R/proc still mounted" >&2; return 1; fi
  [ "$rc" = 0 ] || return "$rc"
  : > "$R/etc/resolv.conf"
  tar -C "$R" -c . | docker import -c 'CMD ["/bin/bash"]' -c 'ENV LANG=C.UTF-8' - "local/trixie:$name-deps"
  rm -rf --one-file-system "$R"
}

# build_img TAG DIR PKG...   (DIR/Dockerfile takes ARG BASE and ARG PKGS)
build_img() {
  local tag=$1 dir=$2; shift 2
  local name; name=$(basename "$dir")
  if have "$tag"; then echo "== skip $tag (exists)"; return; fi
  local t0; t0=$(now)
  if [ "$APT_MODE" != chroot ]; then
    if docker build "${NET[@]}" --build-arg PKGS="$*" -t "$tag" "$dir"; then
      echo "== built $tag (apt in docker build) in $(( $(now) - t0 ))s"; return
    fi
    [ "$APT_MODE" = build ] && return 1
    echo "== docker build of $tag failed; retrying with chroot install" >&2
  fi
  chroot_deps "$name" "$@"
  docker build --network none --build-arg BASE="local/trixie:$name-deps" \
    --build-arg PKGS="$*" -t "$tag" "$dir"
  echo "== built $tag (apt in chroot) in $(( $(now) - t0 ))s"
}

# ------------------------------------------------------------ build contexts
write_contexts() {
  mkdir -p "$W/pg" "$W/node" "$W/caddy"

  # --- PostgreSQL 17 + TimescaleDB
  cat > "$W/pg/Dockerfile" <<'EOF'
ARG BASE=local/trixie:base
FROM ${BASE}
ARG DEBIAN_FRONTEND=noninteractive
ARG PKGS="postgresql-17 postgresql-17-timescaledb"
# no auto-created 17/main cluster: the entrypoint runs initdb itself
RUN mkdir -p /etc/postgresql-common/createcluster.d \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/no-main-cluster.conf \
 && if ! dpkg -s $PKGS >/dev/null 2>&1; then \
      apt-get update && apt-get install -y --no-install-recommends $PKGS \
      && apt-get clean && rm -rf /var/lib/apt/lists/*; fi
ENV PATH=/usr/lib/postgresql/17/bin:$PATH \
    PGDATA=/var/lib/postgresql/data \
    POSTGRES_PASSWORD=postgres
COPY entrypoint.sh /usr/local/bin/pg-entrypoint
RUN chmod 755 /usr/local/bin/pg-entrypoint && mkdir -p /docker-entrypoint-initdb.d
EXPOSE 5432
STOPSIGNAL SIGINT
HEALTHCHECK --interval=2s --timeout=5s --retries=60 CMD pg_isready -q -h 127.0.0.1 -U postgres || exit 1
ENTRYPOINT ["/usr/local/bin/pg-entrypoint"]
CMD []
EOF
  cat > "$W/pg/entrypoint.sh" <<'EOF'
#!/bin/sh
# Init (first start) and run a PostgreSQL 17 + TimescaleDB cluster as user postgres.
# Env: PGDATA (default /var/lib/postgresql/data), POSTGRES_PASSWORD (default postgres).
# /docker-entrypoint-initdb.d/*.sql|*.sh run once after initdb.
# Extra args go to postgres, e.g.  docker run IMAGE -c log_statement=all
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_PASSWORD:=postgres}"
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown -R postgres:postgres "$PGDATA" /run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp); printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb -D "$PGDATA" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
         --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  cat >> "$PGDATA/postgresql.conf" <<'CONF'
listen_addresses = '*'
shared_preload_libraries = 'timescaledb'
timescaledb.telemetry_level = off
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
CONF
  cat >> "$PGDATA/pg_hba.conf" <<'HBA'
host all         all 0.0.0.0/0 scram-sha-256
host all         all ::/0      scram-sha-256
host replication all 0.0.0.0/0 scram-sha-256
host replication all ::/0      scram-sha-256
HBA
  if [ -n "$(ls -A /docker-entrypoint-initdb.d 2>/dev/null)" ]; then
    pg_ctl -D "$PGDATA" -w -o "-c listen_addresses=''" start >/dev/null
    for f in /docker-entrypoint-initdb.d/*; do
      case "$f" in
        *.sql) psql -v ON_ERROR_STOP=1 -U postgres -d postgres -f "$f" ;;
        *.sh)  . "$f" ;;
      esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
fi
exec postgres -D "$PGDATA" "$@"
EOF

  # --- Node.js
  cat > "$W/node/Dockerfile" <<'EOF'
ARG BASE=local/trixie:base
FROM ${BASE}
ARG DEBIAN_FRONTEND=noninteractive
ARG PKGS="nodejs npm ca-certificates"
RUN if ! dpkg -s $PKGS >/dev/null 2>&1; then \
      apt-get update && apt-get install -y --no-install-recommends $PKGS \
      && apt-get clean && rm -rf /var/lib/apt/lists/*; fi
CMD ["node"]
EOF

  # --- Caddy
  cat > "$W/caddy/Dockerfile" <<'EOF'
ARG BASE=local/trixie:base
FROM ${BASE}
ARG DEBIAN_FRONTEND=noninteractive
ARG PKGS="caddy ca-certificates"
RUN if ! dpkg -s $PKGS >/dev/null 2>&1; then \
      apt-get update && apt-get install -y --no-install-recommends $PKGS \
      && apt-get clean && rm -rf /var/lib/apt/lists/*; fi \
 && mkdir -p /config /data && chown caddy:caddy /config /data
COPY Caddyfile /etc/caddy/Caddyfile
ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data
USER caddy
EXPOSE 8080
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
EOF
  cat > "$W/caddy/Caddyfile" <<'EOF'
{
	auto_https off
	admin off
}
:8080 {
	respond /healthz "ok" 200
	respond "hello from caddy {http.request.uri.path}" 200
}
EOF
}

T0=$(now)
docker info >/dev/null
build_base
write_contexts
build_img local/pg17-timescaledb:trixie "$W/pg"    postgresql-17 postgresql-17-timescaledb
build_img local/node:trixie             "$W/node"  nodejs npm ca-certificates
build_img local/caddy:trixie            "$W/caddy" caddy ca-certificates
echo "== all done in $(( $(now) - T0 ))s"
docker images --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' \
  | grep -E '^local/(trixie:base|pg17-timescaledb:trixie|node:trixie|caddy:trixie)\s'
