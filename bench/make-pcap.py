#!/usr/bin/env python3
"""Writes a classic pcap (ns resolution) of N Ethernet/IPv4/UDP frames of one size, for replay
benchmarks. Addresses are 127.0.0.0/8 and MACs locally administered, like the tests' frames."""
import struct
import sys
import time

def frame(size, seq):
    eth = bytes.fromhex("026373000002" "026373000001") + b"\x08\x00"
    ip_len = size - 14
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, seq & 0xFFFF, 0, 64, 17, 0,
                     bytes([127, 0, 0, 2]), bytes([127, 0, 0, 3]))
    udp = struct.pack("!HHHH", 40000 + (seq % 64), 9, ip_len - 20, 0)
    payload = (b"CAPSTRM1" + struct.pack("!Q", seq)).ljust(size - 42, b"\xa5")
    return eth + ip + udp + payload

def main():
    size, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    if size < 58:
        sys.exit("frame size must be at least 58 bytes")
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        # Now, not a fixed date: replay keeps capture times as record timestamps, and the broker's
        # time retention (7 days) would delete records stamped older than that under the harness.
        t = time.time_ns()
        for i in range(count):
            data = frame(size, i)
            t += 1000
            f.write(struct.pack("<IIII", t // 10**9, t % 10**9, len(data), len(data)))
            f.write(data)

if __name__ == "__main__":
    main()
