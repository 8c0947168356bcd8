#!/usr/bin/env bash
# Rebuild the document editor from frontend/ (versions fixed by its package-lock.json) and fail
# when the result differs from the committed forum/static/editor/. CI runs this (.ci/run).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

(cd frontend && npm ci --no-audit --no-fund && npm run build)

changed="$(git status --porcelain --untracked-files=all -- forum/static/editor/)"
if ! git diff --quiet --exit-code -- forum/static/editor/ || [ -n "$changed" ]; then
    echo "forum/static/editor/ differs from a fresh build of frontend/:" >&2
    git status --short --untracked-files=all -- forum/static/editor/ >&2
    git diff --stat -- forum/static/editor/ >&2
    echo "Rebuild with 'cd frontend && npm ci && npm run build' and commit the result." >&2
    exit 1
fi
echo "forum/static/editor/ matches a fresh build of frontend/"
