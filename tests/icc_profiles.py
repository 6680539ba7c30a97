"""ICC profiles of the wide-gamut spaces designers' photos carry, built from published numbers.

Pillow's ImageCms.createProfile makes only sRGB, LAB and XYZ; Display P3, Adobe RGB (1998)
and ProPhoto RGB are built here from their primaries, white point and transfer curve
(matrix/TRC "display class" profiles, as cameras and phones embed them), so tests and
benchmarks need no downloaded profile files. Also the reference maths for accuracy tests:
`reference_to_srgb` converts one pixel with the textbook formulas (no LittleCMS, no Qt).

Sources: Display P3 = DCI-P3 primaries, D65, sRGB curve (Apple); Adobe RGB (1998)
Encoding 1.2 (gamma 563/256); ROMM RGB (ISO 22028-2) = ProPhoto, D50, gamma 1.8;
IEC 61966-2-1 (sRGB); ICC.1:2001-04 (v2) and ICC.1:2010 (v4) for the byte layout;
Bradford chromatic adaptation to the D50 connection space, as ICC requires.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

Matrix = tuple[tuple[float, float, float], tuple[float, float, float],
               tuple[float, float, float]]

D50_PCS = (0.9642, 1.0, 0.8249)  # the ICC connection space white (s15Fixed16 values)
D65_XY = (0.3127, 0.3290)
D50_XY = (0.3457, 0.3585)


@dataclass(frozen=True)
class RgbSpace:
    name: str
    red: tuple[float, float]
    green: tuple[float, float]
    blue: tuple[float, float]
    white: tuple[float, float]
    gamma: float | None  # a pure power curve; None = the sRGB curve
    version: int = 2  # ICC major version of the generated profile

    def decode(self, v: float) -> float:
        """Encoded 0..1 -> linear light."""
        if self.gamma is not None:
            return v ** self.gamma
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


SRGB = RgbSpace("sRGB (reference)", (0.64, 0.33), (0.30, 0.60), (0.15, 0.06), D65_XY, None)
DISPLAY_P3 = RgbSpace("Display P3", (0.680, 0.320), (0.265, 0.690), (0.150, 0.060), D65_XY,
                      None, version=4)
ADOBE_RGB = RgbSpace("Adobe RGB (1998)", (0.64, 0.33), (0.21, 0.71), (0.15, 0.06), D65_XY,
                     563 / 256)
PROPHOTO = RgbSpace("ProPhoto RGB", (0.7347, 0.2653), (0.1596, 0.8404), (0.0366, 0.0001),
                    D50_XY, 1.8)


# -- colour maths ------------------------------------------------------------------------------

def _xyz(xy: tuple[float, float]) -> tuple[float, float, float]:
    x, y = xy
    return (x / y, 1.0, (1 - x - y) / y)


def _mul(a: Matrix, b: Matrix) -> Matrix:
    return tuple(tuple(sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3))
                 for i in range(3))  # type: ignore[return-value]


def _apply(m: Matrix, v: tuple[float, float, float]) -> tuple[float, float, float]:
    return tuple(sum(m[i][k] * v[k] for k in range(3)) for i in range(3))  # type: ignore[return-value]


def _inv(m: Matrix) -> Matrix:
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return ((( e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det),
            ((f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det),
            ((d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det))


_BRADFORD: Matrix = ((0.8951, 0.2664, -0.1614), (-0.7502, 1.7135, 0.0367),
                     (0.0389, -0.0685, 1.0296))


def _adapt(src_white: tuple[float, float, float],
           dst_white: tuple[float, float, float]) -> Matrix:
    s = _apply(_BRADFORD, src_white)
    d = _apply(_BRADFORD, dst_white)
    scale: Matrix = ((d[0] / s[0], 0, 0), (0, d[1] / s[1], 0), (0, 0, d[2] / s[2]))
    return _mul(_inv(_BRADFORD), _mul(scale, _BRADFORD))


def rgb_to_xyz(space: RgbSpace) -> Matrix:
    """Linear RGB -> XYZ relative to the space's own white (Y of white = 1)."""
    cols = [_xyz(space.red), _xyz(space.green), _xyz(space.blue)]
    prim: Matrix = tuple(tuple(cols[j][i] for j in range(3)) for i in range(3))  # type: ignore[assignment]
    s = _apply(_inv(prim), _xyz(space.white))
    return tuple(tuple(prim[i][j] * s[j] for j in range(3)) for i in range(3))  # type: ignore[return-value]


def rgb_to_pcs(space: RgbSpace) -> Matrix:
    """Linear RGB -> XYZ in the D50 connection space (Bradford-adapted): the colorant tags."""
    return _mul(_adapt(_xyz(space.white), D50_PCS), rgb_to_xyz(space))


def _srgb_encode(v: float) -> float:
    v = min(1.0, max(0.0, v))
    return v * 12.92 if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055


def reference_to_srgb(space: RgbSpace, rgb: tuple[int, ...], bits: int = 8
                      ) -> tuple[float, float, float]:
    """One pixel of `space` (integers of `bits`) -> sRGB 0..255 as floats, clipped to the
    sRGB gamut (relative colorimetric), through XYZ D50 like an ICC colour engine."""
    top = (1 << bits) - 1
    lin = tuple(space.decode(c / top) for c in rgb[:3])
    pcs = _apply(rgb_to_pcs(space), lin)  # type: ignore[arg-type]
    out = _apply(_inv(rgb_to_pcs(SRGB)), pcs)
    return tuple(_srgb_encode(c) * 255 for c in out)  # type: ignore[return-value]


# -- ICC bytes ---------------------------------------------------------------------------------

def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def _xyz_tag(xyz: tuple[float, float, float]) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(_s15(c) for c in xyz)


def _curve_tag(space: RgbSpace) -> bytes:
    if space.gamma is not None:
        # curveType with one entry: a u8Fixed8 gamma (Adobe's own profile: 0x0233 = 563/256)
        return b"curv\0\0\0\0" + struct.pack(">IH", 1, round(space.gamma * 256)) + b"\0\0"
    # parametricCurveType function 3: the sRGB curve, as Apple's Display P3 profile has it
    params = (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045)
    return b"para\0\0\0\0" + struct.pack(">HH", 3, 0) + b"".join(_s15(p) for p in params)


def _text_tags(space: RgbSpace) -> tuple[bytes, bytes]:
    if space.version >= 4:  # multiLocalizedUnicodeType
        def mluc(text: str) -> bytes:
            body = text.encode("utf-16-be")
            return (b"mluc\0\0\0\0" + struct.pack(">II", 1, 12) + b"enUS"
                    + struct.pack(">II", len(body), 28) + body)
        return mluc(space.name), mluc("No copyright, test data")
    name = space.name.encode("ascii") + b"\0"
    desc = (b"desc\0\0\0\0" + struct.pack(">I", len(name)) + name
            + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + b"\0" * 67)
    return desc, b"text\0\0\0\0No copyright, test data\0"


def icc_profile(space: RgbSpace) -> bytes:
    """A display-class RGB matrix/TRC ICC profile of `space` (v2 or v4 per space.version)."""
    m = rgb_to_pcs(space)
    desc, cprt = _text_tags(space)
    trc = _curve_tag(space)
    tags = [(b"desc", desc), (b"cprt", cprt), (b"wtpt", _xyz_tag(D50_PCS)),
            (b"rXYZ", _xyz_tag((m[0][0], m[1][0], m[2][0]))),
            (b"gXYZ", _xyz_tag((m[0][1], m[1][1], m[2][1]))),
            (b"bXYZ", _xyz_tag((m[0][2], m[1][2], m[2][2]))),
            (b"rTRC", trc), (b"gTRC", trc), (b"bTRC", trc)]
    if space.version >= 4:  # v4 display profiles carry the adaptation they used
        adapt = _adapt(_xyz(space.white), D50_PCS)
        tags.append((b"chad", b"sf32\0\0\0\0" + b"".join(_s15(v) for row in adapt for v in row)))
    table_len = 4 + 12 * len(tags)
    offset = 128 + table_len
    table, data = [struct.pack(">I", len(tags))], []
    shared: dict[bytes, int] = {}
    for sig, body in tags:
        if body in shared:  # rTRC/gTRC/bTRC share one curve, as real profiles do
            table.append(sig + struct.pack(">II", shared[body], len(body)))
            continue
        shared[body] = offset
        table.append(sig + struct.pack(">II", offset, len(body)))
        padded = body + b"\0" * (-len(body) % 4)
        data.append(padded)
        offset += len(padded)
    version = 0x04300000 if space.version >= 4 else 0x02100000
    header = struct.pack(
        ">I4sI4s4s4s6H4s4sI4sI8sI", offset, b"\0\0\0\0", version, b"mntr", b"RGB ",
        b"XYZ ", 2026, 1, 1, 0, 0, 0, b"acsp", b"\0\0\0\0", 0, b"\0\0\0\0", 0,
        b"\0" * 8, 0)
    header += b"".join(_s15(c) for c in D50_PCS) + b"\0\0\0\0" + b"\0" * 44
    assert len(header) == 128
    return header + b"".join(table) + b"".join(data)


def tiff16_bytes(width: int, height: int, pixels: list[tuple[int, int, int]],
                 icc: bytes | None) -> bytes:
    """An uncompressed 16-bit-per-channel RGB TIFF (little-endian), `icc` embedded (tag
    34675), as raw converters export: Pillow itself writes 8-bit RGB only. `pixels` are
    row-major 0..65535 triples."""
    data = b"".join(struct.pack("<3H", *p) for p in pixels)
    assert len(pixels) == width * height
    entries: list[tuple[int, int, int, bytes]] = []  # tag, type, count, value/payload
    extra = bytearray()
    base = 8  # the payloads follow the header; the IFD follows them
    bits = struct.pack("<3H", 16, 16, 16)
    extra += bits
    icc_at = base + len(extra)
    extra += icc or b""
    if len(extra) % 2:
        extra += b"\0"
    data_at = base + len(extra)
    ifd_at = data_at + len(data) + (len(data) % 2)
    entries = [
        (256, 4, 1, struct.pack("<I", width)), (257, 4, 1, struct.pack("<I", height)),
        (258, 3, 3, struct.pack("<I", base)),  # BitsPerSample at offset 8
        (259, 3, 1, struct.pack("<HH", 1, 0)), (262, 3, 1, struct.pack("<HH", 2, 0)),
        (273, 4, 1, struct.pack("<I", data_at)), (277, 3, 1, struct.pack("<HH", 3, 0)),
        (278, 4, 1, struct.pack("<I", height)), (279, 4, 1, struct.pack("<I", len(data))),
        (284, 3, 1, struct.pack("<HH", 1, 0)),
    ]
    if icc:
        entries.append((34675, 7, len(icc), struct.pack("<I", icc_at)))
    ifd = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHI", tag, typ, count) + value for tag, typ, count, value in entries
    ) + struct.pack("<I", 0)
    return (b"II*\0" + struct.pack("<I", ifd_at) + bytes(extra) + data
            + b"\0" * (len(data) % 2) + ifd)
