// What integrators get from the YAML layer with `import Mesoflow`, by name:
// where a definition says something, what is wrong with it, and the bounds on
// what is read. The node tree and the loader stay behind `import MesoflowYAML`.
@_exported public import struct MesoflowYAML.Diagnostic
@_exported public import struct MesoflowYAML.SourceLocation
@_exported public import class MesoflowYAML.SourceText
@_exported public import struct MesoflowYAML.YAMLError
@_exported public import struct MesoflowYAML.YAMLLimits
