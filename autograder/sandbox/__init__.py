"""Code that runs beside student code, inside the sandbox: probes, the child process and the data channel.

Nothing here decides a grade. It is the only part of the kit staged into the sandbox.
"""
