#!/usr/bin/env python3
"""Writes binary.bin: 4 KiB of bytes from a fixed pattern (not text, not YAML).

The file is committed; this script only says how it was made:
    python3 tests/data/bad/make_binary.py
"""
import pathlib

out = pathlib.Path(__file__).with_name("binary.bin")
# A linear congruential sequence from a fixed seed: every byte value, no randomness.
x, data = 20140615, bytearray()
for _ in range(4096):
    x = (1103515245 * x + 12345) % 2**31
    data.append((x >> 16) & 0xFF)
out.write_bytes(bytes(data))
