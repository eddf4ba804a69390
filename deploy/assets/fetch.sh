#!/usr/bin/env bash
# Fetches the third-party browser files from the npm registry (with npm itself), checks each
# tarball against a pinned SHA-256 and unpacks the few files used into git-ignored folders:
#   shared/web/pages/static/vendor/swagger-ui/   Swagger UI, served by /docs (no CDN)
#   var/vendor/axe-core/axe.min.js               axe-core, injected by the browser tests only
# Re-runs are no-ops while the versions are unchanged. `make assets` (and so `make run`/`make test`)
# runs this script.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SWAGGER_UI="swagger-ui-dist@5.35.0 1b8e891893404ea4c3558b6a87e2a3e494e7eedba41168c2ece5800a391a6ea6"
AXE_CORE="axe-core@4.14.1 e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745"
UI_DIR="$ROOT/shared/web/pages/static/vendor/swagger-ui"
AXE_DIR="$ROOT/var/vendor/axe-core"

# fetch <spec> <sha256> <dest> <file>...: unpacks package/<file> into <dest>, stamped by spec.
fetch() {
  local spec="$1" sum="$2" dest="$3"
  shift 3
  if [[ -f "$dest/.version" && "$(cat "$dest/.version")" == "$spec" ]]; then
    return 0
  fi
  command -v npm >/dev/null || { echo "assets: npm is needed to fetch $spec (apt-get install -y npm)" >&2; exit 2; }
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  local tarball=("$tmp"/*.tgz)
  echo "$sum  ${tarball[0]}" | sha256sum --check --quiet - \
    || { echo "assets: $spec does not match its pinned SHA-256" >&2; exit 2; }
  tar -xzf "${tarball[0]}" -C "$tmp"
  rm -rf "$dest" && mkdir -p "$dest"
  for file in "$@"; do
    cp "$tmp/package/$file" "$dest/"
  done
  echo "$spec" >"$dest/.version"
  echo "assets: $spec -> ${dest#"$ROOT"/}"
}

read -r spec sum <<<"$SWAGGER_UI"
fetch "$spec" "$sum" "$UI_DIR" swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE
read -r spec sum <<<"$AXE_CORE"
fetch "$spec" "$sum" "$AXE_DIR" axe.min.js LICENSE
