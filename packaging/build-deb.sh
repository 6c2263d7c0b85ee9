#!/usr/bin/env bash
# Builds build/p2p-update_<version>_all.deb with dpkg-deb from a staging tree:
#   /usr/lib/p2p-update   the CLI and daemons, bundled by esbuild (node20, ESM; split in
#                         chunks so that a command loads only its own code)
#   /usr/bin/p2p-update   a wrapper that runs the bundle with the system node
#   /usr/share/man/man1/p2p-update.1.gz, bash and zsh completions: generated from the
#                         command definitions (admin-tools/cli/program.ts)
#   /usr/share/p2p-update/deploy-scripts  example deployers, when deploy-scripts/ exists
#   /usr/lib/systemd/system/p2p-update-{manager,natm,rendezvous,deploy}.service, p2p-update-deploy.socket
#   /etc/p2p-update/*.json  conffiles, from docs/config/*.example.json
#   /usr/share/doc/p2p-update/config/  config references (+ the enroll-server example)
#   /usr/share/doc/p2p-update/rendezvous-bind-443.conf  drop-in for a rendezvous TLS listener on 443
#   /usr/share/p2p-update/schema/      editor JSON Schemas of the configs
#   /var/lib/p2p-update   state
# Usage: packaging/build-deb.sh [OUTDIR]   (default build/; prints the .deb's path last)
set -euo pipefail
cd "$(dirname "$0")/.."
umask 022

die() { echo "build-deb: $*" >&2; exit 1; }

version=$(node -p 'JSON.parse(require("fs").readFileSync("package.json", "utf8")).version')
changelog_version=$(sed -n '1s/^p2p-update (\([^)]*\)).*/\1/p' packaging/debian/changelog)
[ "$version" = "$changelog_version" ] ||
  die "package.json version $version differs from packaging/debian/changelog ($changelog_version); add a changelog entry"

out=$(realpath -m "${1:-build}")
stage="$out/deb-root"
deb="$out/p2p-update_${version}_all.deb"
rm -rf "$stage" "$deb"
mkdir -p "$stage"
# Reproducible: file times and gzip headers from the last commit, not from now.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

# esbuild's postinstall may not have run (npm 11 skips some); rebuilding fetches nothing.
npx --no-install esbuild --version >/dev/null 2>&1 || npm rebuild esbuild >/dev/null
npx --no-install esbuild --version >/dev/null 2>&1 || die "esbuild does not run; try: npm ci && npm rebuild esbuild"

lib="$stage/usr/lib/p2p-update"
# CommonJS dependencies call require(); in an ESM bundle that needs a real require.
banner="import { createRequire as __p2puCreateRequire } from 'node:module'; const require = __p2puCreateRequire(import.meta.url);"

esbuild() { # ENTRY METAFILE ARGS...
  local entry=$1 meta=$2
  shift 2
  npx --no-install esbuild "$entry" --bundle --platform=node --target=node20 --format=esm \
    --legal-comments=none --log-level=warning --banner:js="$banner" --metafile="$meta" \
    --define:__P2PU_VERSION__="\"$version\"" "$@"
}
# The CLI in chunks: main.js holds the command definitions, each command's code is a
# chunk loaded when it runs (p2p-update --version reads 150 KB, not 2.6 MB).
esbuild packaging/entry.ts "$out/meta-cli.json" --splitting --outdir="$lib/admin-tools/cli" \
  --entry-names=main --chunk-names='chunks/[name]-[hash]'
esbuild packaging/transmission-setup.ts "$out/meta-setup.json" --outfile="$lib/transmission-setup.js"
node -e 'const p = JSON.parse(require("fs").readFileSync("package.json", "utf8"));
  process.stdout.write(JSON.stringify({ name: p.name, version: p.version, type: "module", private: true }, null, 2) + "\n");' \
  >"$lib/package.json"

install -D -m 0755 packaging/bin/p2p-update "$stage/usr/bin/p2p-update"
# Example deploy scripts and manifests (docs/manager.md), when the repo has them.
if [ -d deploy-scripts ]; then
  for f in deploy-scripts/*; do
    [ -f "$f" ] || continue
    mode=0644
    [ -x "$f" ] && mode=0755
    install -D -m "$mode" "$f" "$stage/usr/share/p2p-update/$f"
  done
fi
for unit in packaging/systemd/*.service packaging/systemd/*.socket; do
  install -D -m 0644 "$unit" "$stage/usr/lib/systemd/system/$(basename "$unit")"
done

# Conffiles: the annotated example configs that exist in docs/config.
mkdir -p "$stage/DEBIAN" "$stage/etc/p2p-update"
: >"$stage/DEBIAN/conffiles"
for name in manager natm rendezvous deploy; do
  example="docs/config/$name.example.json"
  if [ -f "$example" ]; then
    node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$example" ||
      die "$example is not valid JSON"
    install -m 0644 "$example" "$stage/etc/p2p-update/$name.json"
    echo "/etc/p2p-update/$name.json" >>"$stage/DEBIAN/conffiles"
  else
    echo "build-deb: warning: $example missing; /etc/p2p-update/$name.json not shipped" >&2
  fi
done
[ -s "$stage/DEBIAN/conffiles" ] || rm "$stage/DEBIAN/conffiles"
install -d -m 0755 "$stage/var/lib/p2p-update"
install -d -m 0711 "$stage/var/lib/p2p-update-deploy"

doc="$stage/usr/share/doc/p2p-update"
install -d "$doc" "$stage/usr/share/man/man1"
gzip -9n <packaging/debian/changelog >"$doc/changelog.gz"
[ -f docs/operations.md ] && gzip -9n <docs/operations.md >"$doc/operations.md.gz"
node --import tsx packaging/copyright.ts "$out/meta-cli.json" "$out/meta-setup.json" >"$doc/copyright"
node --import tsx packaging/man-page.ts | gzip -9n >"$stage/usr/share/man/man1/p2p-update.1.gz"
# Completions, from the bundled CLI itself (Debian's places: bash-completion's, and zsh's
# vendor-completions, which is in zsh's default fpath; site-functions is /usr/local's).
cli="$lib/admin-tools/cli/main.js"
install -d "$stage/usr/share/bash-completion/completions" "$stage/usr/share/zsh/vendor-completions"
node "$cli" completion bash >"$stage/usr/share/bash-completion/completions/p2p-update"
node "$cli" completion zsh >"$stage/usr/share/zsh/vendor-completions/_p2p-update"
# Config references (docs/config/NAME.md), the enroll-server example, the editor schemas.
install -d "$doc/config" "$stage/usr/share/p2p-update/schema"
for ref in docs/config/*.md; do
  gzip -9n <"$ref" >"$doc/config/$(basename "$ref").gz"
done
install -m 0644 docs/config/enroll-server.example.json "$doc/config/"
install -m 0644 packaging/systemd/rendezvous-bind-443.conf "$doc/"
install -m 0644 docs/config/*.schema.json "$stage/usr/share/p2p-update/schema/"
if [ -s packaging/debian/lintian-overrides ]; then
  install -D -m 0644 packaging/debian/lintian-overrides "$stage/usr/share/lintian/overrides/p2p-update"
fi

for script in postinst prerm postrm; do
  install -m 0755 "packaging/debian/$script" "$stage/DEBIAN/$script"
done
size=$(du -k -s --apparent-size --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$size/" packaging/debian/control.in >"$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0 md5sum >DEBIAN/md5sums)
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
