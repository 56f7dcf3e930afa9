#!/usr/bin/env python3
"""faker_upstream.py: one Faker call per value, per row, as the upstream Python path generates.

The upstream ingen_fab python generator (see /work/shared/notes/upstream-ingen_fab.md, section
3, "Faker generator") seeds `random`, numpy and Faker, builds every row as a Python dict with
one Faker or `random` call per column, makes a pandas DataFrame of the whole list (no
chunking: upstream's chunk_size is never used) and writes it with pandas. This script does the
same, for two shapes:

- `customers` (default): upstream's 16-column customers table: Faker first/last name, email,
  phone number, date of birth for ages 18-80, uniform gender, street address, a secondary
  address 30% of the time, city, state abbreviation, postcode, country code, uniform segment,
  registration date in the last five years, active 85% of the time;
- `bench10`: the ten columns of bench/datasets/bench_10col.yaml, each made the Faker way
  (`random_int`, `random.gauss`, `random.lognormvariate`, weighted `random.choices`,
  `date_between`, `date_time_between`, `bothify`, `last_name`), to compare like with like.

Writes <out>/lakehouse/bench_faker/Files/<format>/<table>/part-00000.<ext> (csv, parquet), or a
Delta table under Tables/ with the deltalake package, and prints "<table>: N rows in S s".

    .venv-bench/bin/python bench/faker_upstream.py --rows 100000 --format csv --out out/b
"""

import argparse
import datetime
import os
import random
import shutil
import string
import sys
import time
from decimal import Decimal


def customers_rows(fake, n):
    rows = []
    segments = ["Premium", "Standard", "Basic"]
    genders = ["M", "F", "Other"]
    for i in range(n):
        rows.append({
            "customer_id": i + 1,
            "first_name": fake.first_name(),
            "last_name": fake.last_name(),
            "email": fake.email(),
            "phone": fake.phone_number(),
            "date_of_birth": fake.date_of_birth(minimum_age=18, maximum_age=80),
            "gender": random.choice(genders),
            "address_line1": fake.street_address(),
            "address_line2": fake.secondary_address() if random.random() < 0.3 else None,
            "city": fake.city(),
            "state": fake.state_abbr(),
            "postal_code": fake.postcode(),
            "country": fake.country_code(),
            "customer_segment": random.choice(segments),
            "registration_date": fake.date_between(start_date="-5y", end_date="today"),
            "is_active": random.random() < 0.85,
        })
    return rows


def bench10_rows(fake, n):
    rows = []
    statuses = ["completed", "pending", "cancelled", "refunded"]
    weights = [0.6, 0.25, 0.1, 0.05]
    d0, d1 = datetime.date(2020, 1, 1), datetime.date(2024, 12, 31)
    t0 = datetime.datetime(2020, 1, 1, 0, 0, 0)
    t1 = datetime.datetime(2024, 12, 31, 23, 59, 59)
    upper = string.ascii_uppercase
    for i in range(n):
        amount = min(max(random.lognormvariate(4.2, 0.8), 0.01), 100000.0)
        rows.append({
            "event_id": i + 1,
            "quantity": fake.random_int(min=1, max=100),
            "score": random.gauss(50.0, 12.0),
            "amount": Decimal(f"{amount:.2f}"),
            "status": random.choices(statuses, weights)[0],
            "event_date": fake.date_between(start_date=d0, end_date=d1),
            "event_ts": fake.date_time_between(start_date=t0, end_date=t1),
            "is_flagged": random.random() < 0.1,
            "code": fake.bothify("???-#####", letters=upper),
            "last_name": fake.last_name(),
        })
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--shape", choices=["customers", "bench10"], default="customers")
    ap.add_argument("--format", choices=["csv", "parquet", "delta"], default="csv")
    ap.add_argument("--out", required=True, help="output root")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    import numpy as np
    import pandas as pd
    from faker import Faker

    random.seed(args.seed)
    np.random.seed(args.seed)
    Faker.seed(args.seed)
    fake = Faker("en_US")

    table = "customers" if args.shape == "customers" else "events"
    lake = os.path.join(os.path.abspath(args.out), "lakehouse", "bench_faker")
    if args.format == "delta":
        path = os.path.join(lake, "Tables", table)
    else:
        path = os.path.join(lake, "Files", args.format, table)
    shutil.rmtree(path, ignore_errors=True)

    t0 = time.time()
    rows = customers_rows(fake, args.rows) if args.shape == "customers" else bench10_rows(fake, args.rows)
    df = pd.DataFrame(rows)
    del rows
    gen_secs = time.time() - t0
    if args.format == "delta":
        from deltalake import write_deltalake
        import pyarrow as pa
        write_deltalake(path, pa.Table.from_pandas(df, preserve_index=False), mode="overwrite")
    else:
        os.makedirs(path)
        if args.format == "csv":
            df.to_csv(os.path.join(path, "part-00000.csv"), index=False)
        else:
            df.to_parquet(os.path.join(path, "part-00000.parquet"), index=False,
                          compression="snappy")
    secs = time.time() - t0
    print(f"{table}: {len(df)} rows in {secs:.2f} s (generation {gen_secs:.2f} s, "
          f"{len(df.columns)} columns, {args.format})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
