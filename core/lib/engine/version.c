/*
** version.c — the library's version, set by the build.
*/
#include "kanal/kanal.h"

const char *kanal_version(void)
{
    return KANAL_VERSION;
}
