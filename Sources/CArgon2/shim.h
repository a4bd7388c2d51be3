#ifndef MESOFLOW_CARGON2_SHIM_H
#define MESOFLOW_CARGON2_SHIM_H
#include <argon2.h>
#endif
