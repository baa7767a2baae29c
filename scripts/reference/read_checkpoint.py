"""Reads a descent checkpoint (saveCheckpoint from descent/node) the way a Python user would.

    /usr/bin/python3 scripts/reference/read_checkpoint.py run.safetensors

It parses the safetensors layout with nothing but struct and json (8-byte little-endian header
length, JSON header, raw little-endian tensors), checks what the format promises (the tensors
cover the data exactly, in order, with no gap) and descent's checksum, and prints each tensor's
name, dtype, shape and first values, and the metadata. Then it loads the file again with every
reader that is installed: numpy (np.frombuffer), PyTorch (torch.frombuffer) and Hugging Face's
`safetensors` (safetensors.numpy.load_file), and checks that they all read the same values.
Exits non-zero on any disagreement. The Node tests do not need it; it is here to show that the
files are ordinary safetensors.
"""

import hashlib
import json
import struct
import sys

WIDTH = {"F32": 4, "F64": 8}
FORMAT = {"F32": "f", "F64": "d"}
CHECKSUM = "descent.sha256"


def read_plain(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header_bytes = raw[8 : 8 + n]
    assert header_bytes[:1] == b"{", "the header must begin with {"
    header = json.loads(header_bytes.decode("utf-8"))
    data = raw[8 + n :]
    metadata = header.pop("__metadata__", {})
    assert all(isinstance(v, str) for v in metadata.values()), "metadata values are strings"
    tensors = {}
    end = 0
    for name, info in sorted(header.items(), key=lambda item: item[1]["data_offsets"]):
        begin, stop = info["data_offsets"]
        assert begin == end, f"{name} begins at {begin}, expected {end}"
        count = 1
        for d in info["shape"]:
            count *= d
        assert stop - begin == count * WIDTH[info["dtype"]], f"{name}: size and shape disagree"
        values = struct.unpack(f"<{count}{FORMAT[info['dtype']]}", data[begin:stop])
        tensors[name] = (info["dtype"], info["shape"], values)
        end = stop
    assert end == len(data), f"the tensors take {end} bytes of {len(data)}"
    return raw, n, header_bytes, metadata, tensors


def verify_checksum(raw, n, header_bytes, metadata):
    digits = metadata[CHECKSUM]
    pattern = f'"{CHECKSUM}":"{digits}"'.encode()
    at = header_bytes.index(pattern)
    start = 8 + at + len(pattern) - 65
    zeroed = raw[:start] + b"0" * 64 + raw[start + 64 :]
    actual = hashlib.sha256(zeroed).hexdigest()
    assert actual == digits, f"checksum {actual}, the file says {digits}"


def main(path):
    raw, n, header_bytes, metadata, tensors = read_plain(path)
    verify_checksum(raw, n, header_bytes, metadata)
    print(f"{path}: header {n} bytes, {len(tensors)} tensors, checksum ok")
    for name, (dtype, shape, values) in tensors.items():
        head = ", ".join(f"{v:.6g}" for v in values[:4])
        print(f"  {name:40} {dtype} {shape} [{head}{', ...' if len(values) > 4 else ''}]")
    print("metadata:")
    for key, value in metadata.items():
        print(f"  {key}: {value[:100]}{'...' if len(value) > 100 else ''}")
    params = json.loads(metadata["descent.params"])
    print(f"parameters: {params}")

    def same(reader, loaded):
        for name, (dtype, shape, values) in tensors.items():
            got = [float(x) for x in loaded[name]]
            assert list(loaded[name].shape) == shape, f"{reader}: {name} has shape {loaded[name].shape}"
            assert got == list(values) or all(
                (a != a and b != b) or a == b for a, b in zip(got, values)
            ), f"{reader}: {name} differs"
        print(f"{reader}: same {len(loaded)} tensors")

    try:
        import numpy as np
    except ImportError:
        print("numpy: not installed")
    else:
        data = raw[8 + n :]
        loaded = {}
        for name, (dtype, shape, _) in tensors.items():
            info = json.loads(header_bytes)[name]
            begin, stop = info["data_offsets"]
            kind = np.dtype("<f4" if dtype == "F32" else "<f8")
            loaded[name] = np.frombuffer(data[begin:stop], dtype=kind).reshape(shape)
        same("numpy", loaded)
    try:
        import torch
    except ImportError:
        print("torch: not installed")
    else:
        data = bytearray(raw[8 + n :])
        loaded = {}
        for name, (dtype, shape, _) in tensors.items():
            begin, stop = json.loads(header_bytes)[name]["data_offsets"]
            kind = torch.float32 if dtype == "F32" else torch.float64
            chunk = data[begin:stop]
            tensor = torch.frombuffer(chunk, dtype=kind) if chunk else torch.empty(0, dtype=kind)
            loaded[name] = tensor.reshape(shape)
        same(f"torch {torch.__version__}", loaded)
    try:
        from safetensors.numpy import load_file
    except ImportError:
        print("safetensors: not installed")
    else:
        same("safetensors", load_file(path))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: read_checkpoint.py FILE.safetensors")
    main(sys.argv[1])
