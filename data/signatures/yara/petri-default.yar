// Petri's default YARA rules (written for Petri; GPL-2.0-or-later).
//
// Test files are matched on hex strings so that this file is not itself
// flagged by a scanner. Rules whose names contain "Generic" or
// "Suspicious" describe traits, not malware: Petri marks their hits as
// heuristic and a sample with only such hits as "suspicious".

import "pe"
import "elf"

rule Petri_Test_EICAR
{
    meta:
        description = "EICAR anti-virus test file"
        reference = "https://www.eicar.org/download-anti-malware-testfile/"
    strings:
        $eicar = { 58 35 4f 21 50 25 40 41 50 5b 34 5c 50 5a 58 35 34 28 50 5e 29 37 43 43 29 37 7d 24 45 49 43 41 52 2d 53 54 41 4e 44 41 52 44 2d 41 4e 54 49 56 49 52 55 53 2d 54 45 53 54 2d 46 49 4c 45 21 24 48 2b 48 2a }
    condition:
        $eicar
}

rule Petri_Test_ClamAV_TestFile
{
    meta:
        description = "ClamAV's harmless test program (clam.exe and its packed, archived copies)"
    strings:
        $marker = { 43 4c 41 4d 65 73 73 61 67 65 42 6f 78 41 }  // "CLAMessageBoxA"
    condition:
        $marker
}

rule Petri_Generic_UPX_Packed_PE
{
    meta:
        description = "PE file packed with UPX (packers hide code; legitimate software uses them too)"
    strings:
        $upx_magic = "UPX!"
    condition:
        uint16(0) == 0x5a4d and
        for any section in pe.sections : ( section.name == "UPX0" or section.name == "UPX1" ) and
        $upx_magic
}

rule Petri_Suspicious_ELF_No_Section_Headers
{
    meta:
        description = "ELF executable without section headers (stripped to the bone or packed)"
    condition:
        uint32(0) == 0x464c457f and
        (elf.type == elf.ET_EXEC or elf.type == elf.ET_DYN) and
        elf.number_of_sections == 0 and
        elf.number_of_segments > 0
}
