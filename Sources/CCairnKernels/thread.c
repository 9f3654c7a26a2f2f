// Thread scheduling helpers.
#define _GNU_SOURCE
#include "CairnKernels.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int cairn_set_thread_nice(int nice) {
    // On Linux, PRIO_PROCESS with a thread id sets that thread's nice value alone.
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}
