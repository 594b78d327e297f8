"""Realistic, reproducible data for the referrals AWS shares with the partner.

Values are drawn from the catalog's standard values with a random generator
seeded by the new record's id, so the same id always gets the same data and a
test run can be repeated exactly.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from connector.ace.catalog import LEAD, OPPORTUNITY

#: Days between a referral and its default target close date.
DEFAULT_CLOSE_IN_DAYS = 90

_COMPANIES = ("Northwind Traders", "Contoso Pharmaceuticals", "Fabrikam Logistics", "Tailspin Toys",
              "Wide World Importers", "Adventure Works Cycles", "Proseware Analytics", "Litware Health",
              "Alpine Ski House", "Blue Yonder Airlines", "Coho Winery", "Datum Robotics")
_PROJECTS = ("Data lake modernisation", "Contact center migration", "SAP on AWS move",
             "Serverless order platform", "ML demand forecasting", "Disaster recovery to the cloud",
             "Windows workloads migration", "IoT fleet telemetry")
_FIRST_NAMES = ("Ana", "Ben", "Chloé", "Dev", "Eitan", "Fatima", "Grace", "Hiro", "Ines", "Jonas")
_LAST_NAMES = ("Alvarez", "Brown", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito")
_TITLES = ("CTO", "VP Engineering", "Head of IT", "Cloud Architect", "Director of Operations")
#: (state, city, 5-digit postal code) triples that agree with each other.
_US_PLACES = (("Washington", "Seattle", "98101"), ("California", "San Jose", "95113"),
              ("Texas", "Austin", "78701"), ("New York", "New York", "10001"),
              ("Illinois", "Chicago", "60601"), ("Massachusetts", "Boston", "02110"))
_AWS_SELLERS = (("Sam Seller", "sam.seller@amazon.example"), ("Riya Rep", "riya.rep@amazon.example"),
                ("Oscar Owner", "oscar.owner@amazon.example"))
_PREFERRED_USE_CASES = ("Migration / Database Migration", "AI Machine Learning and Analytics",
                        "Containers & Serverless", "Business Applications & Contact Center")


def _pick(rng: random.Random, options: tuple[str, ...], preferred: tuple[str, ...] = ()) -> str:
    usable = [option for option in preferred if option in options] or list(options)
    return rng.choice(usable)


def _person(rng: random.Random, company: str) -> tuple[str, str, str]:
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    domain = company.lower().replace(" ", "") + ".example"
    return first, last, f"{first.lower()}.{last.lower()}@{domain}".replace("é", "e")


def opportunity_referral(record_id: str, *, today: date, product_codes: tuple[str, ...]) -> dict[str, Any]:
    """The fields of a new AWS-referred opportunity (the caller adds lifecycle fields)."""
    rng = random.Random(record_id)
    company = rng.choice(_COMPANIES)
    first, last, email = _person(rng, company)
    state, city, postal_code = rng.choice(_US_PLACES)
    seller_name, seller_email = rng.choice(_AWS_SELLERS)
    products = sorted(rng.sample(product_codes, k=min(2, len(product_codes)))) if product_codes else None
    return {
        "customerCompanyName": company,
        "customerWebsite": "https://www." + company.lower().replace(" ", "") + ".example",
        "partnerProjectTitle": f"{company}: {rng.choice(_PROJECTS)}",
        "projectDescription": f"{company} wants help with {rng.choice(_PROJECTS).lower()} "
                              "and asked AWS for a partner with matching experience.",
        "industry": _pick(rng, OPPORTUNITY.values_of("industry"),
                          ("Software & Internet", "Financial Services", "Retail", "Healthcare")),
        "useCase": _pick(rng, OPPORTUNITY.values_of("useCase"), _PREFERRED_USE_CASES),
        "country": "United States", "state": state, "city": city, "postalCode": postal_code,
        "streetAddress": f"{rng.randint(1, 999)} Main Street",
        "customerFirstName": first, "customerLastName": last, "customerEmail": email,
        "customerPhone": f"+1206555{rng.randint(1000, 9999)}", "customerTitle": rng.choice(_TITLES),
        "expectedMonthlyAwsRevenue": float(rng.choice((500, 1500, 4000, 12000))),
        "targetCloseDate": (today + timedelta(days=DEFAULT_CLOSE_IN_DAYS)).isoformat(),
        "deliveryModel": _pick(rng, OPPORTUNITY.values_of("deliveryModel"), ("Professional Services",)),
        "partnerPrimaryNeedFromAws": "Co-Sell - Technical Consultation",
        "salesActivities": "Initialized discussions with customer",
        "opportunityType": "Net New Business",
        "IsOppFromMarketingActivity": "No",
        "doesOppBelongToNatSec": "No",
        "awsProducts": products,
        "nextStep": "Partner to contact the customer",
        "aWSSalesRepName": seller_name, "aWSSalesRepEmail": seller_email,
        "aWSAccountOwnerName": seller_name, "aWSAccountOwnerEmail": seller_email,
        "engagementScore": rng.choice(("Low", "Medium", "High")),
    }


def lead_referral(record_id: str) -> dict[str, Any]:
    """The fields of a new AWS-referred lead (the caller adds lifecycle fields)."""
    rng = random.Random(record_id)
    company = rng.choice(_COMPANIES)
    first, last, email = _person(rng, company)
    state, city, postal_code = rng.choice(_US_PLACES)
    return {
        "company": company, "fullName": f"{first} {last}", "email": email,
        "phone": f"+1206555{rng.randint(1000, 9999)}", "title": rng.choice(_TITLES),
        "streetAddress": f"{rng.randint(1, 999)} Market Street", "city": city,
        "state": state if state in (LEAD.values_of("state")) else None,
        "postalCode": postal_code, "country": "United States",
        "website": "www." + company.lower().replace(" ", "") + ".example",
        "industry": _pick(rng, LEAD.values_of("industry"), ("Computer Software", "Financial Services")),
        "useCaseWorkload": _pick(rng, LEAD.values_of("useCaseWorkload"), ("Big Data", "Web Application")),
        "segmentCompanySize": rng.choice(("1-50", "51-500", "501-5000", "10000+")),
        "projectDescription": f"{company} attended an AWS event and asked about {rng.choice(_PROJECTS).lower()}.",
        "levelofAWSUsage": rng.choice(("None", "Experimenting", "Production")),
        "leadSource": "AWS Marketing",
        "campaignName": "AWS Summit Follow-up",
        "campaignMemberStatus": "Registered",
        "status": "Open",
    }
