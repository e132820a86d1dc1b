"""The same-run reference for `engine bench regions`: batched PyTorch least squares on the same workloads.

Each region A's design Z (Eq. 4: z_i = [a_i1 x~_i, ..., a_ih x~_i, 1]) is built for a batch of consecutive region
indices and solved by torch.linalg.lstsq with the gelsd driver (SVD, LAPACK's rank-revealing solver), the loss being
1/2 sum of squared residuals in the data's units. Prints one JSON line in the engine's format, the median of the
repeats. The datasets are drawn by the engine's documented generator (SplitMix64 with Box-Muller), so
random:N,n,seed names the same points here.

    python3 bench/torch/regions.py --workload n12h2 --threads 2 --repeats 5
    python3 bench/torch/regions.py --workload n12h2 --device cuda --count 16777216

On CUDA torch.linalg.lstsq has only the gels driver (QR without pivoting, for full-rank systems): the rank-deficient
regions get a least-squares answer of no meaning there, so the CUDA figure is a speed reference, not a correctness one.
"""
import argparse
import json
import math
import statistics
import time

import torch

MASK = (1 << 64) - 1

WORKLOADS = {
    "fig3": ("paper-fig3", 4, False),
    "n12h2": ("random:12,2,7", 2, False),
    "n8d3h3b": ("random:8,3,7", 3, True),
}


def splitmix_gaussians(seed, count):
    state = seed & MASK
    values = []

    def unit():
        nonlocal state
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        return ((z >> 11) + 1) * (1.0 / (1 << 53))

    for _ in range(count):
        u1, u2 = unit(), unit()
        values.append(math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2))
    return values


def dataset(name):
    if name == "paper-fig3":
        return [[-1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], [1.0, 2.0, 3.0]
    count, inputs, seed = (int(v) for v in name[len("random:"):].split(","))
    g = splitmix_gaussians(seed & 0xFFFFFFFF, count * (inputs + 1))
    x = [g[i * (inputs + 1): i * (inputs + 1) + inputs] for i in range(count)]
    y = [g[i * (inputs + 1) + inputs] for i in range(count)]
    return x, y


def designs(x, y, hidden, bias, first, count):
    """Z (count x N x m) and y (count x N x 1) for regions first .. first + count - 1; bit i*h + j of an index is a_ij."""
    points = x.shape[0]
    xt = torch.cat([x, torch.ones(points, 1, dtype=x.dtype, device=x.device)], 1) if bias else x
    index = torch.arange(first, first + count, dtype=torch.int64, device=x.device)
    bits = torch.arange(points * hidden, dtype=torch.int64, device=x.device)
    a = ((index[:, None] >> bits[None, :]) & 1).to(x.dtype).reshape(count, points, hidden)
    z = (a[:, :, :, None] * xt[None, :, None, :]).reshape(count, points, -1)
    if bias:
        z = torch.cat([z, torch.ones(count, points, 1, dtype=x.dtype, device=x.device)], 2)
    return z, y.reshape(1, points, 1).expand(count, points, 1)


def losses(z, y):
    solution = torch.linalg.lstsq(z, y, driver="gelsd" if z.device.type == "cpu" else "gels").solution
    residual = torch.bmm(z, solution) - y
    return 0.5 * (residual * residual).sum(dim=(1, 2))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workload", choices=sorted(WORKLOADS), required=True)
    parser.add_argument("--count", type=int, default=1 << 15)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--batch", type=int, default=4096, help="regions per lstsq call")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    name, hidden, bias = WORKLOADS[args.workload]
    xs, ys = dataset(name)
    x = torch.tensor(xs, dtype=torch.float64, device=args.device)
    y = torch.tensor(ys, dtype=torch.float64, device=args.device)
    regions = 1 << (x.shape[0] * hidden)
    count = min(args.count, regions)
    losses(*designs(x, y, hidden, bias, 0, min(count, 256)))  # warm-up
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        done = 0
        while done < count:
            part = min(count - done, args.batch, regions)
            losses(*designs(x, y, hidden, bias, done % regions, part))
            done += part
        if args.device == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - started)
    seconds = statistics.median(times)
    print(json.dumps({"workload": args.workload, "regions": count, "seconds": seconds, "regions_per_s": count / seconds,
                      "device": args.device if args.device == "cpu" else torch.cuda.get_device_name(0),
                      "path": f"torch {torch.__version__} lstsq " + (f"gelsd, {torch.get_num_threads()} threads" if args.device == "cpu" else "gels (CUDA, QR, full rank only)"),
                      "runs": args.repeats}))


if __name__ == "__main__":
    main()
