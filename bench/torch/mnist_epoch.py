"""The same-run reference for `engine bench mnist`: one epoch of the paper's §4.2 network in PyTorch.

784 -> 2k -> k -> 10 with biases, softmax and cross entropy, mini-batches of 100, Adam (lr 1e-3), float32. "rich" is the
real ReLU network; "random" removes the rectifiers and multiplies each hidden layer by a fixed random 0/1 mask per image
(Eq. 8), as `engine table1` trains it. Prints one JSON line with the seconds per epoch (median of the repeats) and
samples/s, in the engine's format.

    python3 bench/torch/mnist_epoch.py --mnist data/mnist --k 256 --mode rich --device cuda
"""
import argparse
import json
import statistics
import struct
import time

import torch


def idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    dims = 1 if magic == 0x801 else 3
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mnist", required=True)
    parser.add_argument("--k", type=int, default=256)
    parser.add_argument("--mode", choices=["rich", "random"], required=True)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    device = torch.device(args.device)
    x = (idx(f"{args.mnist}/train-images-idx3-ubyte").reshape(-1, 784).float() / 255.0).to(device)
    y = idx(f"{args.mnist}/train-labels-idx1-ubyte").long().to(device)
    generator = torch.Generator(device="cpu").manual_seed(1)
    k = args.k
    layers = [torch.nn.Linear(784, 2 * k), torch.nn.Linear(2 * k, k), torch.nn.Linear(k, 10)]
    model = torch.nn.ModuleList(layers).to(device)
    masks = None
    if args.mode == "random":
        masks = ((torch.rand(x.shape[0], 2 * k, generator=generator) < 0.5).float().to(device),
                 (torch.rand(x.shape[0], k, generator=generator) < 0.5).float().to(device))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def forward(batch):
        h = layers[0](x[batch])
        h = h * masks[0][batch] if masks is not None else torch.relu(h)
        h = layers[1](h)
        h = h * masks[1][batch] if masks is not None else torch.relu(h)
        return layers[2](h)

    def epoch():
        order = torch.randperm(x.shape[0], generator=generator).to(device)
        for start in range(0, x.shape[0], 100):
            batch = order[start:start + 100]
            loss = torch.nn.functional.cross_entropy(forward(batch), y[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize()

    epoch()  # warm-up
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - started)
    seconds = statistics.median(times)
    print(json.dumps({"k": k, "mode": args.mode, "epochs": args.repeats, "seconds_per_epoch": seconds, "samples_per_s": x.shape[0] / seconds,
                      "device": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu", "path": f"torch {torch.__version__}"}))


if __name__ == "__main__":
    main()
