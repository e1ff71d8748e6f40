"""Read QR codes back from images with the zbar library (Debian's `libzbar0`, which `.ci/run`
installs), through ctypes: the few calls pyzbar makes, without the package."""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

from PIL import Image

_ENABLE = 0  # ZBAR_CFG_ENABLE
_Y800 = int.from_bytes(b"Y800", "little")


def _library() -> Any:
    name = ctypes.util.find_library("zbar") or "libzbar.so.0"
    lib = ctypes.CDLL(name)
    lib.zbar_image_scanner_create.restype = ctypes.c_void_p
    lib.zbar_image_scanner_set_config.argtypes = [
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
    ]
    lib.zbar_image_create.restype = ctypes.c_void_p
    lib.zbar_image_set_format.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    lib.zbar_image_set_size.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint]
    lib.zbar_image_set_data.argtypes = [
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_void_p,
    ]
    lib.zbar_scan_image.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.zbar_image_first_symbol.argtypes = [ctypes.c_void_p]
    lib.zbar_image_first_symbol.restype = ctypes.c_void_p
    lib.zbar_symbol_next.argtypes = [ctypes.c_void_p]
    lib.zbar_symbol_next.restype = ctypes.c_void_p
    lib.zbar_symbol_get_data.argtypes = [ctypes.c_void_p]
    lib.zbar_symbol_get_data.restype = ctypes.c_char_p
    lib.zbar_image_destroy.argtypes = [ctypes.c_void_p]
    lib.zbar_image_scanner_destroy.argtypes = [ctypes.c_void_p]
    return lib


def decode(image: Image.Image) -> list[str]:
    """The texts of every QR code zbar finds in `image`."""
    lib = _library()
    gray = image.convert("L")
    data = gray.tobytes()
    buffer = ctypes.create_string_buffer(data, len(data))
    scanner = lib.zbar_image_scanner_create()
    lib.zbar_image_scanner_set_config(scanner, 0, _ENABLE, 1)
    zimage = lib.zbar_image_create()
    try:
        lib.zbar_image_set_format(zimage, _Y800)
        lib.zbar_image_set_size(zimage, gray.width, gray.height)
        lib.zbar_image_set_data(zimage, buffer, len(data), None)
        lib.zbar_scan_image(scanner, zimage)
        found = []
        symbol = lib.zbar_image_first_symbol(zimage)
        while symbol:
            found.append(lib.zbar_symbol_get_data(symbol).decode())
            symbol = lib.zbar_symbol_next(symbol)
        return found
    finally:
        lib.zbar_image_destroy(zimage)
        lib.zbar_image_scanner_destroy(scanner)
