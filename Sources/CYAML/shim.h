#ifndef MESOFLOW_CYAML_SHIM_H
#define MESOFLOW_CYAML_SHIM_H
#include <yaml.h>
#endif
