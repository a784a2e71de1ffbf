import time, threading
from zones import isolate
from zones.errors import ZonesError
def hog(): 
    x = bytearray(3*2**30); return len(x)
def ok(n): return list(range(n))
def boom(): raise ValueError("x")
t0=time.time(); print(len(isolate.bounded(ok, 10)), time.time()-t0)
try: isolate.bounded(hog)
except ZonesError as e: print("hog:", e)
try: isolate.bounded(boom)
except ValueError as e: print("boom ok", e)
from geodata.fields import GeodataError
def ge(): raise GeodataError("too_large", path="a", size_mb=3)
try: isolate.bounded(ge)
except GeodataError as e: print("ge", e.key, e.params)
import os, signal
def die(): os.kill(os.getpid(), signal.SIGABRT)
try: isolate.bounded(die)
except ZonesError as e: print("die:", e)
# threaded
ev=threading.Event(); th=threading.Thread(target=ev.wait); th.start()
t0=time.time(); print(len(isolate.bounded(ok, 10)), "forkserver first", time.time()-t0)
t0=time.time(); print(len(isolate.bounded(ok, 10)), "forkserver second", time.time()-t0)
try: isolate.bounded(hog)
except ZonesError as e: print("hog fs:", e)
ev.set()
