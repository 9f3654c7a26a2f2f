#ifndef CAIRN_CBLAS_SHIM_H
#define CAIRN_CBLAS_SHIM_H
// Debian's libblas-dev / libopenblas-dev put cblas.h on the default include path;
// libblas.so resolves (through alternatives) to OpenBLAS once libopenblas-dev is installed.
#include <cblas.h>
#endif
