// Integrators get the source locations and diagnostics with `import Mesoflow`.
@_exported public import MesoflowYAML
