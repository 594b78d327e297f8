"""How fast the Salesforce org emulator serves the calls a sync makes.

    python -m bench.emulator [--upsert-records N] [--query-records N]

Measures, through unmodified simple-salesforce over HTTPS:
  1. sObject Collections upserts by external id (200 a call): creates, then updates;
  2. Bulk API 2.0 insert (used here to load the query data set);
  3. a paginated query (2000 a page) over every loaded record, via query_all_iter.
"""

from __future__ import annotations

import argparse
import time

from simple_salesforce import Salesforce

from connector.sandbox.salesforce import EmulatorServer

COLLECTION_SIZE = 200


def opportunity(number: int, *, stage: str) -> dict:
    return {"attributes": {"type": "Opportunity"}, "ACE_Opportunity_Id__c": f"O{number}",
            "Name": f"Opportunity {number}", "StageName": stage, "CloseDate": "2024-09-30",
            "Amount": number, "ACE_Sync_Status__c": "Synced"}


def collections_upsert(sf: Salesforce, count: int, *, stage: str) -> float:
    started = time.perf_counter()
    for start in range(0, count, COLLECTION_SIZE):
        records = [opportunity(n, stage=stage) for n in range(start, min(count, start + COLLECTION_SIZE))]
        results = sf.restful("composite/sobjects/Opportunity/ACE_Opportunity_Id__c", method="PATCH",
                             json={"allOrNone": False, "records": records})
        assert all(result["success"] for result in results), results[:3]
    return time.perf_counter() - started


def bulk_load_leads(sf: Salesforce, count: int) -> float:
    records = [{"LastName": f"Lead {n}", "Company": "Acme", "ACE_Lead_Id__c": f"L{n}",
                "Status": "Open - Not Contacted"} for n in range(count)]
    started = time.perf_counter()
    outcome = sf.bulk2.Lead.insert(records=records, wait=0.01)
    assert sum(job["numberRecordsFailed"] for job in outcome) == 0, outcome
    return time.perf_counter() - started


def paginated_query(sf: Salesforce) -> tuple[int, float]:
    started = time.perf_counter()
    seen = sum(1 for _ in sf.query_all_iter(
        "SELECT Id, Name, Company, Status, ACE_Lead_Id__c, SystemModstamp FROM Lead "
        "ORDER BY SystemModstamp ASC, Id ASC"))
    return seen, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upsert-records", type=int, default=20_000)
    parser.add_argument("--query-records", type=int, default=100_000)
    args = parser.parse_args()
    with EmulatorServer() as org:
        sf = Salesforce(instance_url=org.instance_url, session_id=org.session_id,
                        session=org.requests_session(), version=org.api_version)
        created = collections_upsert(sf, args.upsert_records, stage="Prospecting")
        updated = collections_upsert(sf, args.upsert_records, stage="Negotiation/Review")
        loaded = bulk_load_leads(sf, args.query_records)
        seen, queried = paginated_query(sf)
        assert seen == args.query_records, seen
        calls = org.requests_session().get(org.instance_url + "/_emulator/stats").json()["api_usage"]
    n = args.upsert_records
    print(f"collections upsert, create: {n} records in {created:.2f} s = {n / created:,.0f} records/s")
    print(f"collections upsert, update: {n} records in {updated:.2f} s = {n / updated:,.0f} records/s")
    print(f"bulk 2.0 insert:            {args.query_records} records in {loaded:.2f} s = "
          f"{args.query_records / loaded:,.0f} records/s")
    print(f"paginated query:            {seen} records in {queried:.2f} s "
          f"({seen // 2000 + (seen % 2000 > 0)} pages) = {seen / queried:,.0f} records/s")
    print(f"API calls counted by the emulator: {calls}")


if __name__ == "__main__":
    main()
