#ifndef CAIRN_CLIBPQ_SHIM_H
#define CAIRN_CLIBPQ_SHIM_H
// libpq-dev installs its headers under /usr/include/postgresql.
#include <postgresql/libpq-fe.h>
#endif
