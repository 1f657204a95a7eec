"""Reads a TensorBoard log directory with TensorBoard's own event reader
(tensorboard.backend.event_processing.event_accumulator), for fmnist's Go tests.

usage: read_events.py LOGDIR

Prints one JSON object: {"tags": [...], "scalars": {tag: [[step, value], ...]}}
with every scalar of the run, in the order the reader returns them.
"""
import json
import sys

from tensorboard.backend.event_processing import event_accumulator


def main():
    acc = event_accumulator.EventAccumulator(sys.argv[1], size_guidance={event_accumulator.SCALARS: 0})
    acc.Reload()
    tags = acc.Tags()["scalars"]
    out = {"tags": tags, "scalars": {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags}}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
