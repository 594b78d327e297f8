"""The standard objects of the emulated org, as a real Developer Edition org has them.

Every org-specific assumption of the emulator lives here: which standard
objects exist, their required fields, lengths and picklist values, and which
picklists are restricted. Custom fields come from the project's sfdx source
(see ``sfdx.py``), the same files a real deployment uses.
"""

from __future__ import annotations

from dataclasses import replace

from connector.sandbox.salesforce.schema import FieldDef, ObjectDef, OrgSchema

KEY_PREFIXES = {"Account": "001", "Contact": "003", "User": "005", "Opportunity": "006",
                "Organization": "00D", "Lead": "00Q"}

OPPORTUNITY_STAGES = (
    # (value, default probability %, forecast category, closed, won)
    ("Prospecting", 10, "Pipeline", False, False),
    ("Qualification", 10, "Pipeline", False, False),
    ("Needs Analysis", 20, "Pipeline", False, False),
    ("Value Proposition", 50, "Pipeline", False, False),
    ("Id. Decision Makers", 60, "Pipeline", False, False),
    ("Perception Analysis", 70, "Pipeline", False, False),
    ("Proposal/Price Quote", 75, "Pipeline", False, False),
    ("Negotiation/Review", 90, "Pipeline", False, False),
    ("Closed Won", 100, "Closed", True, True),
    ("Closed Lost", 0, "Omitted", True, False),
)
FORECAST_CATEGORIES = ("Omitted", "Pipeline", "Best Case", "Commit", "Closed")
OPPORTUNITY_TYPES = ("Existing Customer - Upgrade", "Existing Customer - Replacement",
                     "Existing Customer - Downgrade", "New Customer")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Converted",
                 "Closed - Not Converted")
LEAD_DEFAULT_STATUS = "Open - Not Contacted"
INDUSTRIES = ("Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
              "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
              "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government",
              "Healthcare", "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media",
              "Not For Profit", "Recreation", "Retail", "Shipping", "Technology",
              "Telecommunications", "Transportation", "Utilities", "Other")
RATINGS = ("Hot", "Warm", "Cold")
ACCOUNT_TYPES = ("Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller",
                 "Installation Partner", "Technology Partner", "Other")
SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")

TEXTAREA_LONG_CHARS = 32000


def _f(name: str, type_: str, label: str | None = None, **flags) -> FieldDef:
    return FieldDef(name=name, type=type_, label=label or name, **flags)


def text(name: str, length: int, label: str | None = None, *, required: bool = False,
         type_: str = "string", **flags) -> FieldDef:
    return _f(name, type_, label, length=length, nillable=not required, **flags)


def picklist(name: str, values: tuple[str, ...], label: str | None = None, *,
             restricted: bool = False, required: bool = False, default: str | None = None,
             multi: bool = False) -> FieldDef:
    return _f(name, "multipicklist" if multi else "picklist", label,
              length=4099 if multi else 255, nillable=not required, restricted_picklist=restricted,
              picklist_values=values, default_value=default, defaulted_on_create=default is not None)


def reference(name: str, target: str, relationship: str, label: str | None = None, *,
              required: bool = False, defaulted: bool = False, updateable: bool = True) -> FieldDef:
    return _f(name, "reference", label, length=18, nillable=not required, reference_to=(target,),
              relationship_name=relationship, defaulted_on_create=defaulted, updateable=updateable)


def number(name: str, type_: str, *, precision: int, scale: int, label: str | None = None,
           read_only: bool = False) -> FieldDef:
    return _f(name, type_, label, precision=precision, scale=scale, createable=not read_only,
              updateable=not read_only, calculated=read_only)


def boolean(name: str, label: str | None = None, *, read_only: bool = False,
            default: bool = False) -> FieldDef:
    return _f(name, "boolean", label, nillable=False, defaulted_on_create=True, default_value=default,
              createable=not read_only, updateable=not read_only, calculated=read_only)


def read_only(definition: FieldDef) -> FieldDef:
    return replace(definition, createable=False, updateable=False)


def system_fields(key_prefix_object: str) -> list[FieldDef]:
    """Id, IsDeleted and the audit fields every object has; none is writable."""
    return [
        read_only(_f("Id", "id", "Record ID", length=18, nillable=False, defaulted_on_create=True,
                     external_id=False)),
        boolean("IsDeleted", "Deleted", read_only=True),
        read_only(_f("CreatedDate", "datetime", "Created Date", nillable=False,
                     defaulted_on_create=True)),
        read_only(reference("CreatedById", "User", "CreatedBy", "Created By ID", required=True,
                            defaulted=True)),
        read_only(_f("LastModifiedDate", "datetime", "Last Modified Date", nillable=False,
                     defaulted_on_create=True)),
        read_only(reference("LastModifiedById", "User", "LastModifiedBy", "Last Modified By ID",
                            required=True, defaulted=True)),
        read_only(_f("SystemModstamp", "datetime", "System Modstamp", nillable=False,
                     defaulted_on_create=True)),
    ]


def owner() -> FieldDef:
    return reference("OwnerId", "User", "Owner", "Owner ID", required=True, defaulted=True)


def address(prefix: str, label: str) -> list[FieldDef]:
    return [text(f"{prefix}Street", 255, f"{label} Street", type_="textarea"),
            text(f"{prefix}City", 40, f"{label} City"),
            text(f"{prefix}State", 80, f"{label} State/Province"),
            text(f"{prefix}PostalCode", 20, f"{label} Zip/Postal Code"),
            text(f"{prefix}Country", 80, f"{label} Country")]


def _object(name: str, label_plural: str, fields: list[FieldDef], *, writable: bool = True) -> ObjectDef:
    obj = ObjectDef(name=name, key_prefix=KEY_PREFIXES[name], label=name, label_plural=label_plural,
                    writable=writable)
    for definition in [*system_fields(name), *fields]:
        obj.add_field(definition)
    return obj


def _person_name_fields() -> list[FieldDef]:
    return [text("FirstName", 40, "First Name"), text("LastName", 80, "Last Name", required=True),
            picklist("Salutation", SALUTATIONS),
            read_only(text("Name", 121, "Full Name", calculated=True))]


def opportunity() -> ObjectDef:
    return _object("Opportunity", "Opportunities", [
        owner(),
        text("Name", 120, required=True),
        reference("AccountId", "Account", "Account", "Account ID"),
        reference("ContactId", "Contact", "Contact", "Contact ID"),
        text("Description", TEXTAREA_LONG_CHARS, type_="textarea"),
        picklist("StageName", tuple(stage[0] for stage in OPPORTUNITY_STAGES), "Stage",
                 restricted=True, required=True),
        number("Amount", "currency", precision=18, scale=2),
        number("Probability", "percent", precision=3, scale=0, label="Probability (%)"),
        number("ExpectedRevenue", "currency", precision=18, scale=2, label="Expected Amount",
               read_only=True),
        _f("CloseDate", "date", "Close Date", nillable=False),
        picklist("Type", OPPORTUNITY_TYPES, "Opportunity Type"),
        text("NextStep", 255, "Next Step"),
        picklist("LeadSource", LEAD_SOURCES, "Lead Source"),
        boolean("IsClosed", "Closed", read_only=True),
        boolean("IsWon", "Won", read_only=True),
        picklist("ForecastCategoryName", FORECAST_CATEGORIES, "Forecast Category",
                 restricted=True, default="Pipeline"),
    ])


def lead() -> ObjectDef:
    return _object("Lead", "Leads", [
        owner(), *_person_name_fields(),
        text("Title", 128), text("Company", 255, required=True),
        *address("", ""),
        text("Phone", 40, type_="phone"), text("MobilePhone", 40, "Mobile Phone", type_="phone"),
        text("Email", 80, type_="email"), text("Website", 255, type_="url"),
        text("Description", TEXTAREA_LONG_CHARS, type_="textarea"),
        picklist("LeadSource", LEAD_SOURCES, "Lead Source"),
        picklist("Status", LEAD_STATUSES, "Lead Status", restricted=True, required=True,
                 default=LEAD_DEFAULT_STATUS),
        picklist("Industry", INDUSTRIES), picklist("Rating", RATINGS),
        number("AnnualRevenue", "currency", precision=18, scale=0, label="Annual Revenue"),
        _f("NumberOfEmployees", "int", "Employees", precision=8),
        replace(boolean("IsConverted", "Converted"), updateable=False),
    ])


def account() -> ObjectDef:
    return _object("Account", "Accounts", [
        owner(), text("Name", 255, "Account Name", required=True),
        picklist("Type", ACCOUNT_TYPES, "Account Type"),
        reference("ParentId", "Account", "Parent", "Parent Account ID"),
        text("AccountNumber", 40, "Account Number"),
        *address("Billing", "Billing"), *address("Shipping", "Shipping"),
        text("Phone", 40, "Account Phone", type_="phone"), text("Website", 255, type_="url"),
        picklist("Industry", INDUSTRIES), picklist("Rating", RATINGS, "Account Rating"),
        number("AnnualRevenue", "currency", precision=18, scale=0, label="Annual Revenue"),
        _f("NumberOfEmployees", "int", "Employees", precision=8),
        text("Description", TEXTAREA_LONG_CHARS, "Account Description", type_="textarea"),
    ])


def contact() -> ObjectDef:
    return _object("Contact", "Contacts", [
        owner(), *_person_name_fields(),
        reference("AccountId", "Account", "Account", "Account ID"),
        text("Title", 128), text("Email", 80, type_="email"),
        text("Phone", 40, "Business Phone", type_="phone"),
        text("MobilePhone", 40, "Mobile Phone", type_="phone"),
        *address("Mailing", "Mailing"),
        picklist("LeadSource", LEAD_SOURCES, "Lead Source"),
        text("Description", TEXTAREA_LONG_CHARS, "Contact Description", type_="textarea"),
    ])


def user() -> ObjectDef:
    return _object("User", "Users", [
        text("Username", 80, required=True, unique=True), *_person_name_fields()[:2],
        read_only(text("Name", 121, "Full Name", calculated=True)),
        text("Email", 128, required=True, type_="email"), text("Alias", 8, required=True),
        boolean("IsActive", "Active", default=True),
    ], writable=False)


def organization() -> ObjectDef:
    return _object("Organization", "Organizations", [
        text("Name", 80, required=True), text("OrganizationType", 40, "Edition"),
        text("InstanceName", 5, "Instance Name"), boolean("IsSandbox", "Is Sandbox"),
    ], writable=False)


def standard_schema() -> OrgSchema:
    schema = OrgSchema()
    for build in (account, contact, user, opportunity, lead, organization):
        schema.add(build())
    return schema


def stage_facts(stage: str | None) -> tuple[int, str, bool, bool] | None:
    """(probability %, forecast category, closed, won) for an Opportunity stage."""
    for value, probability, category, closed, won in OPPORTUNITY_STAGES:
        if value == stage:
            return probability, category, closed, won
    return None
