"""Ranged reads from an S3 file store (what the CDX index's verification does for each sampled
line), through the store's shared client against a new client for every read (how the store
read before 1c30a87), side by side on one moto server in this process.

    .venv/bin/python bench/s3_reads.py --reads 64

Prints seconds per read for each way and their ratio; both read the same ranges.
"""

import argparse
import logging
import os
import statistics
import time

import boto3
from moto.server import ThreadedMotoServer

from maint_assets.core.s3_store import S3Backend, s3_client

RANGE = 4096


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reads", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        s3.create_bucket(Bucket="warcs")
        s3.put_object(Bucket="warcs", Key="crawls/a.warc.gz", Body=os.urandom(RANGE * 256))
        store = S3Backend("warcs", "crawls", endpoint, "us-east-1")

        def shared() -> None:
            store.read_range("a.warc.gz", RANGE * 7, RANGE)

        def new_client() -> None:
            s3_client.__wrapped__(endpoint, "us-east-1").get_object(
                Bucket="warcs", Key="crawls/a.warc.gz", Range=f"bytes={RANGE * 7}-{RANGE * 8 - 1}"
            )["Body"].read()

        shared()  # the one client built outside the measurement
        seconds = {"shared client": [], "client per read": []}
        for _ in range(args.repeat):
            for name, read in (("shared client", shared), ("client per read", new_client)):
                started = time.perf_counter()
                for _ in range(args.reads):
                    read()
                seconds[name].append((time.perf_counter() - started) / args.reads)
    finally:
        server.stop()
    medians = {name: statistics.median(v) for name, v in seconds.items()}
    for name, median in medians.items():
        print(f"{name}: {median * 1000:.1f} ms a read (median of {args.repeat} x {args.reads})")
    ratio = medians["client per read"] / medians["shared client"]
    print(f"ratio client per read / shared client: {ratio:.1f}")


if __name__ == "__main__":
    main()
