"""The label vocabulary, as data: which printed labels name which metadata field.

:data:`LABEL_TABLE` is one table of field → language → rank → labels. Labels are in
folded form (:func:`parsers.vocab.fold`: lower case, accents removed) with ``#``, ``No.``,
``Nr.`` and ``Number`` taken out (:func:`parsers.metadata.labels.normalise_label`), so
``Batch No.:``, ``Batch #`` and ``BATCH NUMBER`` are the one label ``batch``. A lower
rank wins over a higher one (``Product Name`` over ``Strain``, ``Report No.`` over
``Order #``); the language only documents where a label comes from, it is never a switch.

The word lists below it are the other vocabulary the readers use: words of lab names,
job titles, headings, matrix words and the values that mean "not given".
"""

from __future__ import annotations

#: field -> language -> rank -> folded labels. Languages: en, cs, de, es, fr.
LABEL_TABLE: dict[str, dict[str, dict[int, tuple[str, ...]]]] = {
    "vendor": {
        "en": {0: ("client", "client name", "customer", "customer name", "prepared for", "report prepared for",
                   "client information", "client info", "customer information", "submitted by", "requested by",
                   "ordered by", "company", "company name", "client details", "bill to", "vendor", "vendor name",
                   "sponsor", "submitter", "account", "account name", "client customer", "customer client",
                   "submitted for", "issued to", "report to", "client name and address"),
               1: ("manufacturer", "manufacturer info", "manufacturer information", "distributor",
                   "distributor info", "distributor information", "licensee", "brand", "cultivator manufacturer",
                   "distributor manufacturer", "supplier", "retailer", "manufactured by", "distributed by",
                   "produced by", "packed by", "marketed by", "manufacturer name"),
               2: ("producer", "cultivator", "cultivator info", "cultivator information")},
        "cs": {0: ("zakaznik", "objednatel", "odberatel", "zadavatel", "objednavatel"),
               1: ("vyrobce", "dodavatel")},
        "de": {0: ("auftraggeber", "kunde", "kunde name", "auftraggeber name"),
               1: ("hersteller", "lieferant")},
        "es": {0: ("cliente", "solicitante", "peticionario"), 1: ("fabricante",)},
        "fr": {0: ("donneur d ordre",), 1: ("fabricant",)},
    },
    "lab": {
        "en": {0: ("laboratory", "testing laboratory", "testing lab", "laboratory name", "performing laboratory",
                   "lab")},
        "cs": {0: ("laborator", "zkusebni laborator", "zkusebna")},
        "de": {0: ("labor", "prufstelle", "prueflabor")},
        "es": {0: ("laboratorio", "laboratorio de ensayo")},
        "fr": {0: ("laboratoire",)},
    },
    "product": {
        "en": {0: ("product name", "sample name", "product", "product description", "sample description",
                   "item name", "item", "product sample", "name of sample", "sample identification",
                   "product identity", "product sample name", "sample product name", "item description",
                   "commodity", "sample description name", "product title"),
               1: ("sample alias", "product alias", "alias"),
               2: ("strain", "cultivar", "cultivars", "description", "order name")},
        "cs": {0: ("oznaceni vzorku zakaznikem", "oznaceni vzorku", "nazev vzorku", "nazev produktu",
                   "popis vzorku", "nazev")},
        "de": {0: ("probenbezeichnung", "produkt", "bezeichnung", "artikel")},
        "es": {0: ("producto", "nombre del producto", "descripcion de la muestra")},
        "fr": {0: ("produit", "designation", "nom du produit")},
    },
    "batch": {
        "en": {0: ("batch", "batch id", "lot", "lot id", "batch lot", "lot batch", "harvest lot id", "harvest lot",
                   "retail batch", "production lot", "production batch", "client batch", "customer lot",
                   "customer batch", "lot code", "batch code")},
        "cs": {0: ("c s", "cislo sarze", "sarze")},
        "de": {0: ("charge", "chargennummer", "charge nr", "los")},
        "es": {0: ("lote", "numero de lote")},
        "fr": {0: ("lot de fabrication",)},
    },
    "sample_id": {
        "en": {0: ("sample id", "sample", "sample code", "lab id", "laboratory id", "lab sample id", "lab sample",
                   "sample ref", "lab ref", "lab no", "laboratory sample id", "test id", "lab number",
                   "laboratory number", "lab sample no", "accession", "lims id", "lab code")},
        "cs": {0: ("cislo vzorku", "evidencni cislo", "laboratorni cislo vzorku", "laboratorni cislo")},
        "de": {0: ("probennummer", "probe", "laborcode", "labornummer", "proben", "probennr", "labornr",
                   "laborcode nr")},
        "es": {0: ("muestra", "numero de muestra", "codigo de muestra", "referencia de muestra", "id de muestra",
                   "codigo de laboratorio", "identificacion de la muestra")},
        "fr": {0: ("echantillon", "numero d echantillon", "code echantillon", "reference echantillon")},
    },
    "report_number": {
        "en": {0: ("report", "report id", "certificate", "certificate id", "coa", "coa id", "final report",
                   "test report", "analysis report", "analytical report", "report code", "report ref",
                   "report reference", "certificate ref", "certificate reference", "coa ref"),
               1: ("project", "work order", "job", "job id", "project id", "submission", "certificate of analysis",
                   "coa report", "test report id"),
               2: ("order", "order id")},
        "cs": {0: ("protokol o zkouskach", "protokol o zkouskach ml", "protokol", "cislo protokolu")},
        "de": {0: ("prufbericht", "pruefbericht", "bericht", "berichtsnummer")},
        "es": {0: ("informe", "numero de informe", "protocolo")},
        "fr": {0: ("rapport", "numero de rapport")},
    },
    "received": {
        "en": {0: ("date received", "received date", "received", "sample received", "receipt date",
                   "date of receipt", "intake date", "date of intake", "arrival date", "received on",
                   "sample receipt", "date sample received", "received at lab")},
        "cs": {0: ("datum prijmu vzorku laboratori", "datum prijmu vzorku", "datum prijmu")},
        "de": {0: ("eingangsdatum", "probeneingang", "eingang")},
    },
    "tested": {
        "en": {0: ("date tested", "tested", "test date", "analysis date", "date analyzed", "analyzed", "analysed",
                   "date of analysis", "tested on", "analyzed on", "date analysed", "testing date",
                   "analysis completed", "testing period", "analysis period", "test period",
                   "testing completed", "test completed", "tests completed", "testing complete",
                   "analyses completed", "analysis complete")},
        "cs": {0: ("datum provedeni zkousek", "doba provedeni zkousek")},
        "de": {0: ("prufdatum", "pruefdatum", "analysendatum", "prufzeitraum", "pruefzeitraum",
                   "analysenzeitraum")},
    },
    "reported": {
        "en": {0: ("report date", "date reported", "reported", "date of report", "issued", "issue date",
                   "date issued", "date of issue", "report created", "report issued", "reported on", "issued on",
                   "date of report issue", "document created", "document generated", "report generated",
                   "coa created", "coa generated", "certificate created", "certificate generated"),
               1: ("completion date", "completed", "complete", "date completed", "finalized", "released",
                   "approved", "approval date", "date approved", "signed on", "finalized on"),
               2: ("date",)},  # a lone "Date:" in a header dates the report
        "cs": {0: ("vystaveno", "datum vystaveni", "vystaven v praze dne", "datum vydani", "datum vydani protokolu"),
               2: ("dne",)},
        "de": {0: ("ausstellungsdatum", "berichtsdatum"), 2: ("datum",)},
        "es": {0: ("fecha de informe", "fecha del informe"), 2: ("fecha",)},
        "fr": {0: ("date du rapport",)},
    },
}

#: Date-label word stems -> (field, rank), tried in this order (``Lab Received Date``).
DATE_STEMS: tuple[tuple[str, str, int], ...] = (
    ("report", "reported", 0), ("issu", "reported", 0), ("receiv", "received", 0),
    ("receipt", "received", 0), ("intake", "received", 0), ("arriv", "received", 0),
    ("prijm", "received", 0), ("prijet", "received", 0), ("eingang", "received", 0),
    ("recep", "received", 0), ("reciep", "received", 0), ("emis", "reported", 0),
    ("rapport", "reported", 0), ("vystav", "reported", 0), ("ausstell", "reported", 0), ("complet", "reported", 1),
    ("approv", "reported", 1), ("releas", "reported", 1), ("finali", "reported", 1),
    ("bericht", "reported", 0), ("ausgabe", "reported", 0), ("freigabe", "reported", 0),
    ("erstell", "reported", 0), ("vydan", "reported", 0), ("vydani", "reported", 0),
    ("test", "tested", 0), ("analy", "tested", 0), ("anali", "tested", 0), ("assay", "tested", 0),
    ("zkous", "tested", 0), ("untersuch", "tested", 0), ("pruf", "tested", 0), ("pruef", "tested", 0),
    ("ensay", "tested", 0), ("submit", "received", 1))
#: Verbs that make a label a date label (``Report Submitted``, ``Report Generated``).
DATE_VERBS = {"submitted", "generated", "issued", "created", "printed", "released", "completed", "finalized",
              "finalised", "approved", "signed", "sent", "published", "prepared", "received", "tested", "analyzed",
              "analysed", "reported", "collected", "sampled"}
#: Words before a known label that make it another party's or another document's (``Customer
#: Sample ID`` is not the lab's sample id, ``Previous Report`` is not this report).
QUALIFIERS = {"customer", "client", "cust", "your", "external", "previous", "prior", "original", "amended",
              "reference", "parent", "source", "supplier", "vendor", "manufacturer", "producer", "po", "purchase",
              "order", "kunden", "cliente", "zakaznika"}
#: Generic labels of a party's name under its heading (``Client Info`` / ``Business Name: ...``).
NAME_LABELS = {"name", "business name", "company name", "legal name", "business", "entity name", "dba", "trade name",
               "licensee name", "firma", "firmenname", "nombre", "razon social", "nom", "raison sociale",
               "nazev firmy", "obchodni jmeno", "jmeno"}
#: Words that make a label a date label.
DATE_WORDS = {"date", "datum", "time", "dt", "on", "dne", "fecha", "period", "zeitraum"}
#: Words that make ``... Batch`` the lab's own batch, not the product's.
NOT_PRODUCT_BATCH = {"lab", "laboratory", "analytical", "analysis", "qc", "prep", "preparation", "extraction",
                     "instrument", "method", "test", "testing", "sequence", "run", "date", "size", "weight",
                     "reviewed", "volume", "wgt", "total", "number", "units", "count"}
#: Labels of an analysis's own record (``Prep By:``, ``Ana. By:``, ``SOP:``, ``Instrument:``), by their
#: first word, or by the step before ``By``: a ``Batch:`` printed among them is the lab's run, not the lot.
LAB_RUN_WORDS = {"prep", "prepped", "sop", "instrument", "extraction", "extracted", "initial", "final", "dilution",
                 "diln", "sequence", "specimen", "injection", "analyst"}
LAB_RUN_STEPS = {"prep", "prepped", "prepared", "ana", "analyzed", "analysed", "extracted", "tested", "run",
                 "weighed", "injected"}
#: Words of "number" that a label may carry (``Nº de lote``, ``Número de informe``).
NUMBER_WORDS = {"no", "n", "nr", "num", "number", "numero", "cislo"}

#: Values that mean "not given".
EMPTY = {"", "na", "n a", "none", "not applicable", "not provided", "unknown", "tbd", "pending", "see below"}
#: Words that end (or start) a lab's name.
LAB_WORDS = {"laboratories", "laboratory", "labs", "lab", "analytics", "analytical", "testing", "laboratorium",
             "laboratorio", "laboratoire", "labor", "prueflabor", "pruflabor", "laboratoriet", "analytik"}
LAB_HEADS = {"laborator", "laboratory", "laboratorium", "laboratoire", "laboratorio", "labor", "analytik"}
#: Words that may follow a lab word inside the name (``Northstar Analytical Services``).
LAB_TAILS = {"services", "group", "solutions", "sciences", "institute", "center", "centre", "corporation",
             "company", "international", "usa", "us"}
#: Words that alone never make a name (``Independent Testing Laboratory``).
GENERIC = {"compliance", "regulatory", "analytical", "quality", "testing", "certified", "accredited", "cannabis",
           "hemp", "independent", "third", "party", "the", "this", "a", "an", "our", "your", "certificate",
           "analysis", "of", "and", "by", "from", "lab", "labs", "laboratory", "laboratories", "microbiology",
           "chemistry", "reference", "state", "licensed", "iso", "iec", "approved", "approval", "written",
           "director", "manager", "test", "results", "sample", "report", "final"}
#: ``Laboratory Director`` read as ``Laboratory: Director``: a person's title is no lab's name.
JOB_TITLES = {"director", "manager", "supervisor", "analyst", "chemist", "technician", "officer", "reviewer",
              "signatory", "head", "leiter", "leiterin", "vedouci", "reditel", "jefe", "directora", "responsable"}
#: Words of section headings, never a party's name.
HEADING_WORDS = {"information", "info", "details", "summary", "sample", "samples", "results", "result",
                 "certificate", "analysis", "report", "order", "client", "customer", "batch", "product", "test",
                 "tests", "testing", "compliance", "laboratory", "lab", "page", "data", "overview", "profile",
                 "panel", "potency", "safety", "contact", "address", "approved", "signature", "notes", "comments"}
#: Words of a sample's matrix line (``Plant, Flower - Cured``).
MATRIX_WORDS = {"flower", "plant", "edible", "edibles", "concentrate", "ingestible", "tincture", "derivative",
                "cured", "oil", "topical", "powder", "capsule", "capsules", "gummy", "gummies", "extract",
                "vape", "cartridge", "infused", "pre", "roll", "preroll", "beverage", "liquid", "solid", "leaf",
                "light", "deprivation", "inhalable", "ingestion", "inhalation",
                "heated", "resin", "rosin", "wax", "shatter", "budder", "distillate",
                "trim", "biomass", "isolate", "food", "candy", "chocolate", "drink", "dried", "raw", "fresh"}
MATRIX_LABELS = {"matrix", "sample matrix", "matrix type", "sample type", "product type", "type", "category",
                 "product category", "matrice", "matrix category"}
#: Abbreviations whose dot belongs to the word (``Co.``, ``Inc.``).
ABBREVIATIONS = {"inc", "co", "ltd", "corp", "st", "dr", "mr", "mrs", "ms", "jr", "sr", "no", "mt", "ft", "llc"}
#: Month names in English, German, French, Spanish and Czech (folded), one line per month.
MONTH_NAMES = (
    "january jan januar janvier enero leden ledna janner jaenner janv ene",
    "february feb februar fevrier febrero unor unora feber fevr",
    "march mar marz maerz mars marzo brezen brezna mrz",
    "april apr avril abril duben dubna avr abr",
    "may mai mayo kveten kvetna",
    "june jun juni juin junio cerven cervna",
    "july jul juli juillet julio cervenec cervence juil",
    "august aug aout agosto srpen srpna ago",
    "september sep sept septembre septiembre setiembre zari",
    "october oct oktober octobre octubre okt rijen rijna",
    "november nov novembre noviembre listopad listopadu",
    "december dec dezember decembre diciembre dez prosinec prosince dic")


def flatten(table: dict[str, dict[str, dict[int, tuple[str, ...]]]]) -> dict[str, dict[str, int]]:
    """field -> {label: rank} over every language (the lookup form of the table)."""
    out: dict[str, dict[str, int]] = {}
    for name, languages in table.items():
        labels = out.setdefault(name, {})
        for ranks in languages.values():
            for rank, words in ranks.items():
                for label in words:
                    labels[label] = min(rank, labels.get(label, rank))
    return out


#: field -> {normalised label: rank}; lower ranks win, then reading order.
LABELS: dict[str, dict[str, int]] = flatten(LABEL_TABLE)

DATE_FIELDS = ("received", "tested", "reported")
ID_FIELDS = ("batch", "sample_id", "report_number")
