"""Checks runs/<model>/model.onnx with onnx and onnxruntime (used by fmnist's Go tests).

usage: check_onnx.py RUN_DIR IDX_DIR N

Loads the model, runs onnx.checker (full check), then runs the first N test
images of IDX_DIR (t10k-images-idx3-ubyte[.gz], scaled by 1/255 like the
engines) through onnxruntime and compares its probabilities with
RUN_DIR/predictions_test.csv and its encoding with RUN_DIR/encoding_test.csv.
Prints one JSON object with the figures; exits 1 with a message on any failure.
"""
import gzip
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort


def read_images(idx_dir, n):
    for name in ("t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz"):
        path = os.path.join(idx_dir, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            count = int.from_bytes(data[4:8], "big")
            pix = np.frombuffer(data, dtype=np.uint8, offset=16, count=count * 784)
            return (pix[: n * 784].astype(np.float32) / np.float32(255)).reshape(-1, 28, 28, 1)
    sys.exit(f"check_onnx: no t10k-images-idx3-ubyte(.gz) in {idx_dir}")


def main():
    run_dir, idx_dir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    path = os.path.join(run_dir, "model.onnx")
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    inp = model.graph.input[0]
    dims = [d.dim_param or d.dim_value for d in inp.type.tensor_type.shape.dim]
    elem = inp.type.tensor_type.elem_type
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    x = read_images(idx_dir, n)
    outputs = [o.name for o in sess.get_outputs()]
    got = dict(zip(outputs, sess.run(None, {inp.name: x})))
    probs = got["probabilities"]
    with open(os.path.join(run_dir, "predictions_test.csv")) as f:
        header = f.readline().strip().split(",")
    want = np.loadtxt(os.path.join(run_dir, "predictions_test.csv"), delimiter=",", skiprows=1,
                      max_rows=n, dtype=np.float64)
    pcols = [i for i, h in enumerate(header) if h.startswith("p") and h[1:].isdigit()]
    want_p = want[:, pcols]
    pred_col = header.index("predicted")
    out = {
        "model": path,
        "opset": opset,
        "input": inp.name,
        "input_dims": dims,
        "input_float32": elem == onnx.TensorProto.FLOAT,
        "outputs": outputs,
        "images": int(probs.shape[0]),
        "prob_shape": list(probs.shape),
        "max_prob_diff": float(np.abs(probs.astype(np.float64) - want_p).max()),
        "argmax_mismatches": int((probs.argmax(axis=1) != want[:, pred_col].astype(int)).sum()),
        "row_sum_max_err": float(np.abs(probs.sum(axis=1) - 1).max()),
    }
    if "encoding" in got:
        enc = np.loadtxt(os.path.join(run_dir, "encoding_test.csv"), delimiter=",", skiprows=1,
                         max_rows=n, dtype=np.float64)
        e = got["encoding"].astype(np.float64)
        out["encoding_shape"] = list(e.shape)
        out["max_encoding_rel_diff"] = float((np.abs(e - enc) / np.maximum(1, np.abs(enc))).max())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
