"""Create the S3 bucket Pluto stores its objects in, once the store answers.

``python create-bucket.py ENDPOINT BUCKET``, with the credentials in ``AWS_ACCESS_KEY_ID``
and ``AWS_SECRET_ACCESS_KEY``: compose.yaml's ``bucket`` one-shot, run before
``pluto migrate``. An existing bucket is left as it is. It waits (up to two minutes) until
the store answers and an object can be written and removed, since a fresh store takes a
moment to make its first volume writable; exit status 0 then, 1 when it never does.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

WAIT_SECONDS = 120.0
PROBE_KEY = ".pluto-bucket-check"
MISSING = {"404", "NoSuchBucket", "NotFound"}


def ensure_bucket(client: Any, bucket: str) -> bool:
    """Create ``bucket`` unless it exists and check it takes writes; whether it was made."""
    created = False
    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as exc:
        if str(exc.response.get("Error", {}).get("Code", "")) not in MISSING:
            raise
        client.create_bucket(Bucket=bucket)
        created = True
    client.put_object(Bucket=bucket, Key=PROBE_KEY, Body=b"")
    client.delete_object(Bucket=bucket, Key=PROBE_KEY)
    return created


def main(argv: list[str]) -> int:
    """Create the bucket named on the command line; the exit status."""
    if len(argv) != 2:
        print("usage: create-bucket.py ENDPOINT BUCKET", file=sys.stderr)
        return 2
    endpoint, bucket = argv
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            created = ensure_bucket(client, bucket)
        except (BotoCoreError, ClientError) as exc:
            if time.monotonic() > deadline:
                print(
                    f"The store at {endpoint} did not take bucket {bucket}: {exc}", file=sys.stderr
                )
                return 1
            time.sleep(1)
            continue
        print(f"Bucket {bucket} {'created' if created else 'exists'} at {endpoint}.")
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
