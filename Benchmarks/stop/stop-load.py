#!/usr/bin/env python3
"""The loads the stop is timed under (Scripts/bench-socket), until killed:
  status N    N clients sending pen.status back to back
  commands N  N clients pipelining pen.setSpeed, 16 in flight each (the mailbox's worst case)
  hold N      N connections opened and left idle (every slot taken)
Prints "ready" once every client is connected.

usage: stop-load.py SOCKET MODE N
"""
import socket, sys, threading, time

path, mode, count = sys.argv[1], sys.argv[2], int(sys.argv[3])

def connect():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    return s

def status(s):
    f = s.makefile("rb")
    request = b'{"jsonrpc":"2.0","id":1,"method":"pen.status"}\n'
    while True:
        s.sendall(request)
        if not f.readline():
            return

def commands(s):
    f = s.makefile("rb")
    batch = b''.join(b'{"jsonrpc":"2.0","id":%d,"method":"pen.setSpeed","params":{"hertz":100}}\n' % i
                     for i in range(16))
    while True:
        s.sendall(batch)
        for _ in range(16):
            if not f.readline():
                return

sockets = [connect() for _ in range(count)]
if mode != "hold":
    work = {"status": status, "commands": commands}[mode]
    for s in sockets:
        threading.Thread(target=work, args=(s,), daemon=True).start()
print("ready", flush=True)
while True:
    time.sleep(3600)
