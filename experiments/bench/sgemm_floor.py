"""The sgemm floor: the matrix products of one MLP epoch, timed alone through decaybench's OpenBLAS.

Makes the same `cblas_sgemm` calls, with the same shapes and layouts, that DecayBench's
`DenseNetwork` makes in one epoch (forward and backward of every training batch, then the
forward pass over the training and test split in evaluation chunks), through the OpenBLAS
library the decaybench binary links, on one thread. Nothing else is done, so
epoch time ÷ this time is the engine's efficiency (1.0 would be pure sgemm).

Prints one JSON object: {"seconds": ..., "gflop": ..., "calls": ..., "blas_core": ...}.
"""
import argparse
import ctypes
import json
import time

import numpy as np

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112


def load_openblas(path):
    library = ctypes.CDLL(path)
    library.cblas_sgemm.restype = None
    library.cblas_sgemm.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                    ctypes.c_float, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                                    ctypes.c_float, ctypes.c_void_p, ctypes.c_int]
    library.openblas_get_corename.restype = ctypes.c_char_p
    library.openblas_get_config.restype = ctypes.c_char_p
    library.openblas_set_num_threads.argtypes = [ctypes.c_int]
    return library


def cache_aligned(values, alignment=64):
    """A copy of the float32 array `values` whose first element starts on an `alignment`-byte boundary."""
    spare = np.empty(values.size + alignment // 4, dtype=np.float32)
    start = (-spare.ctypes.data % alignment) // 4
    aligned = spare[start:start + values.size]
    aligned[:] = values
    assert aligned.ctypes.data % alignment == 0
    return aligned


def epoch_calls(widths, train, test, batch, chunk):
    """(transA, transB, m, n, k) of every sgemm in one epoch, in the engine's order."""
    layers = len(widths) - 1
    calls = []

    def forward(rows):
        for layer in range(layers):
            calls.append((NO_TRANS, TRANS, rows, widths[layer + 1], widths[layer]))

    for start in range(0, train, batch):
        rows = min(batch, train - start)
        forward(rows)
        for layer in reversed(range(layers)):
            calls.append((TRANS, NO_TRANS, widths[layer + 1], widths[layer], rows))
            if layer > 0:
                calls.append((NO_TRANS, NO_TRANS, rows, widths[layer], widths[layer + 1]))
    for count in (train, test):
        for start in range(0, count, chunk):
            forward(min(chunk, count - start))
    return calls


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--openblas", required=True, help="path of the libopenblas decaybench links")
    parser.add_argument("--widths", default="784,256,256,10")
    parser.add_argument("--train", type=int, default=60000)
    parser.add_argument("--test", type=int, default=10000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--eval-chunk", type=int, required=True, help="rows per evaluation pass in the engine")
    args = parser.parse_args()

    blas = load_openblas(args.openblas)
    blas.openblas_set_num_threads(1)
    widths = [int(width) for width in args.widths.split(",")]
    calls = epoch_calls(widths, args.train, args.test, args.batch_size, args.eval_chunk)
    largest = max(m * k + k * n + m * n for _, _, m, n, k in calls)
    rng = np.random.default_rng(0)
    # On a cache line, as the engine's buffers are (numpy puts large arrays 16 bytes into one,
    # where OpenBLAS's 64-byte stores into C straddle two lines).
    a = cache_aligned(rng.standard_normal(largest, dtype=np.float32))
    b = cache_aligned(rng.standard_normal(largest, dtype=np.float32))
    c = cache_aligned(np.zeros(largest, dtype=np.float32))
    pa, pb, pc = a.ctypes.data, b.ctypes.data, c.ctypes.data
    sgemm = blas.cblas_sgemm

    def run():
        for trans_a, trans_b, m, n, k in calls:
            lda = m if trans_a == TRANS else k
            ldb = k if trans_b == TRANS else n
            sgemm(ROW_MAJOR, trans_a, trans_b, m, n, k, 1.0, pa, lda, pb, ldb, 0.0, pc, n)

    run()  # warm-up: page in the buffers, let OpenBLAS allocate its workspace
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    gflop = sum(2.0 * m * n * k for _, _, m, n, k in calls) / 1e9
    print(json.dumps({"seconds": seconds, "gflop": gflop, "calls": len(calls),
                      "blas_core": blas.openblas_get_corename().decode().strip(),
                      "openblas_config": blas.openblas_get_config().decode().strip()}))


if __name__ == "__main__":
    main()
