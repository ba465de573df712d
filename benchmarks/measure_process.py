"""Run one command and print its wall seconds, exit status and peak RSS (ru_maxrss): cold_start.py's helper.

    python -S benchmarks/measure_process.py COMMAND [ARGS...]

Linux counts in a process's peak RSS the memory of the process that started it (exec keeps the larger
of the two), so cold_start.py, which holds TensorFlow, starts each command from this small interpreter
instead. Its own few megabytes are then the floor of every figure. It imports nothing beyond the
interpreter's built-ins, to keep that floor low; run it with -S.
"""

import os
import sys
import time


def main():
    command = sys.argv[1:]
    # The command's stdout is not wanted; its stderr passes through, for its errors.
    quiet = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
    start = time.perf_counter()
    pid = os.posix_spawn(command[0], command, os.environ, file_actions=quiet)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    print(seconds, os.waitstatus_to_exitcode(status), usage.ru_maxrss)


if __name__ == "__main__":
    main()
