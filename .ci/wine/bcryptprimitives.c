/* Test scaffolding, never shipped: Wine 8 (Debian 12) has no bcryptprimitives.dll, whose
 * ProcessPrng Rust's standard library calls for random bytes on Windows 10 and later.
 * This stand-in answers from RtlGenRandom (advapi32's SystemFunction036), which Wine
 * has. Built by .ci/run with mingw and put beside sinhke.exe for the Wine test only. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
