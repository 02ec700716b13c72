"""families layer."""
