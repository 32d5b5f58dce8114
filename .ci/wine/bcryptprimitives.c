/*
 * TEST AID FOR WINE ONLY - NEVER SHIPPED, NEVER INSTALLED ON A REAL WINDOWS.
 *
 * Go >= 1.22 seeds its runtime from ProcessPrng in bcryptprimitives.dll,
 * which every supported Windows (10 and later) has in System32 but Debian
 * 12's Wine 8.0 does not, so every Go program dies at start under that Wine
 * ("bcryptprimitives.dll not found"). make test-windows builds this file
 * into bcryptprimitives.dll and copies it into the throw-away Wine prefix's
 * system32 so the Windows test binaries can run. The randomness comes from
 * advapi32's RtlGenRandom (SystemFunction036), Wine's own CSPRNG.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* Windows' ProcessPrng never fails; a failing RtlGenRandom returns FALSE
 * here so the Go runtime aborts instead of using an unfilled buffer. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!SystemFunction036(data, chunk))
			return FALSE;
		data += chunk;
		len -= chunk;
	}
	return TRUE;
}
