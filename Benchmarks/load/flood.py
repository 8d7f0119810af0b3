#!/usr/bin/env python3
"""Loads needled's socket for a bounded time: N clients sending pen.status back to back and M
telemetry subscribers at 10 Hz. Prints the requests answered. Used by Scripts/bench-latency.

usage: flood.py SOCKET SECONDS [CLIENTS=8] [SUBSCRIBERS=16]
"""
import json, socket, sys, threading, time

path, seconds = sys.argv[1], float(sys.argv[2])
clients = int(sys.argv[3]) if len(sys.argv) > 3 else 8
subscribers = int(sys.argv[4]) if len(sys.argv) > 4 else 16
deadline = time.monotonic() + seconds
answered = [0] * clients
notified = [0] * subscribers

def connect():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.settimeout(5)
    return s

def flood(index):
    s = connect(); f = s.makefile("rb")
    request = b'{"jsonrpc":"2.0","id":1,"method":"pen.status"}\n'
    while time.monotonic() < deadline:
        s.sendall(request); f.readline(); answered[index] += 1
    s.close()

def listen(index):
    s = connect(); f = s.makefile("rb")
    s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"telemetry.subscribe","params":{"hz":10}}\n')
    while time.monotonic() < deadline:
        try:
            line = f.readline()
        except socket.timeout:
            break
        if b'"telemetry"' in line: notified[index] += 1
    s.close()

threads = [threading.Thread(target=flood, args=(i,)) for i in range(clients)]
threads += [threading.Thread(target=listen, args=(i,)) for i in range(subscribers)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"clients": clients, "requests": sum(answered), "requestsPerSecond": round(sum(answered) / seconds),
                  "subscribers": subscribers, "notifications": sum(notified)}))
