"""Kustomize, built offline in Python: every value of a built object knows where it came from.

Public API (wired into the workspace and the CLI):

- `find_kustomizations(paths)`: directories holding a kustomization file;
- `find_roots(project, dirs)`: those no other kustomization includes (the deployment units);
- `build(project, directory, shared=None) -> Build`: the objects `kustomize build` would
  print, located;
- `sub_builds(project, dirs)`: what the roots of one run share (`build(..., shared=...)`): each
  directory they include is built once;
- `render(build, origins=False)`: their YAML, optionally with `# file:line` comments.
"""

from __future__ import annotations

from k8slint.lint.kustomize.build import (
    KUSTOMIZATION_NAMES,
    Build,
    MissingRef,
    Note,
    build,
    find_kustomizations,
    find_roots,
    sub_builds,
)
from k8slint.lint.kustomize.render import render

__all__ = [
    "KUSTOMIZATION_NAMES",
    "Build",
    "MissingRef",
    "Note",
    "build",
    "find_kustomizations",
    "find_roots",
    "render",
    "sub_builds",
]
