"""Southvale Borough Council: a borough with council housing, so repairs, and a different street-scene set."""

from borough.crm.demo.catalogue import DAYS, YES_NO, DemoCase, DemoCatalogue, DemoQuestion, DemoRule, DemoService, Q

SOUTHVALE = DemoCatalogue(
    teams=(
        ("street-scene", "Street scene", False),
        ("housing", "Housing repairs", False),
        ("housing-urgent", "Housing emergency repairs", False),
        ("parking", "Parking and abandoned vehicles", False),
        ("community-safety", "Community safety", False),
        ("revenues", "Revenues", False),
        ("triage", "Contact centre triage", True),
    ),
    services=(
        DemoService(
            "graffiti",
            "Report graffiti",
            "Streets",
            "street-scene",
            (5, DAYS),
            "Graffiti on public property: walls, bridges, bus shelters, signs. Offensive graffiti is removed within "
            "one working day.",
            "graffiti, tagging, spray paint, vandalism",
            needs_location=True,
            allow_anonymous=True,
            questions=(
                DemoQuestion("offensive", "Is it offensive or racist?", Q.SINGLE_CHOICE, True, choices=YES_NO),
                DemoQuestion(
                    "surface",
                    "What is it on?",
                    Q.SINGLE_CHOICE,
                    choices=(
                        ("wall", "A wall or building"),
                        ("bridge", "A bridge or underpass"),
                        ("shelter", "A bus shelter"),
                        ("sign", "A road sign"),
                        ("other", "Something else"),
                    ),
                ),
            ),
        ),
        DemoService(
            "dog-fouling",
            "Report dog fouling",
            "Streets",
            "street-scene",
            (3, DAYS),
            "Dog mess on a pavement, path, park or playing field.",
            "dog, fouling, poo, mess",
            needs_location=True,
            allow_anonymous=True,
            questions=(
                DemoQuestion(
                    "how_often",
                    "Is this a one-off?",
                    Q.SINGLE_CHOICE,
                    True,
                    choices=(("once", "It is a one-off"), ("regular", "It happens regularly")),
                ),
                DemoQuestion("times", "If it happens regularly, at what times?", hint="This helps our wardens"),
            ),
        ),
        DemoService(
            "abandoned-vehicle",
            "Report an abandoned vehicle",
            "Parking and vehicles",
            "parking",
            (10, DAYS),
            "A vehicle that seems abandoned: untaxed, damaged or not moved for weeks. We check with the DVLA first.",
            "abandoned, car, vehicle, untaxed, van",
            needs_location=True,
            allow_anonymous=True,
            questions=(
                DemoQuestion("registration", "Vehicle registration", required=True, hint="For example, AB12 CDE"),
                DemoQuestion("make_colour", "Make and colour", hint="For example, a silver Ford Focus"),
                DemoQuestion("days", "About how many days has it been there?", Q.NUMBER),
            ),
        ),
        DemoService(
            "housing-repair",
            "Report a repair to your council home",
            "Housing",
            "housing",
            (5, DAYS),
            "Repairs to a home you rent from Southvale Borough Council. For a gas leak call the National Gas "
            "emergency line on 0800 111 999.",
            "repair, leak, damp, mould, heating, boiler, window, door",
            questions=(
                DemoQuestion("tenancy_reference", "Your tenancy reference", required=True, hint="It starts with T"),
                DemoQuestion(
                    "repair_type",
                    "What needs repairing?",
                    Q.SINGLE_CHOICE,
                    True,
                    choices=(
                        ("leak", "A leak"),
                        ("heating", "Heating or hot water"),
                        ("electrics", "Electrics"),
                        ("door_window", "A door or window"),
                        ("damp", "Damp or mould"),
                        ("other", "Something else"),
                    ),
                ),
                DemoQuestion(
                    "rooms",
                    "Which rooms?",
                    Q.MULTI_CHOICE,
                    choices=(
                        ("kitchen", "Kitchen"),
                        ("bathroom", "Bathroom"),
                        ("bedroom", "Bedroom"),
                        ("living", "Living room"),
                        ("outside", "Outside"),
                    ),
                ),
            ),
        ),
        DemoService(
            "bulky-waste",
            "Book a bulky waste collection",
            "Bins and recycling",
            "street-scene",
            (10, DAYS),
            "We collect up to five large items for a fee of £35.",
            "bulky, sofa, fridge, mattress, furniture",
            questions=(
                DemoQuestion(
                    "items",
                    "What needs collecting?",
                    Q.MULTI_CHOICE,
                    True,
                    choices=(
                        ("sofa", "Sofa or armchair"),
                        ("fridge", "Fridge or freezer"),
                        ("mattress", "Mattress or bed"),
                        ("white_goods", "Washing machine or cooker"),
                        ("other", "Other furniture"),
                    ),
                ),
            ),
        ),
        DemoService(
            "council-tax",
            "Council tax question",
            "Council tax",
            "revenues",
            (10, DAYS),
            "Questions about your council tax bill or account.",
            "council tax, bill, band, discount",
            questions=(DemoQuestion("account_number", "Your account number"),),
        ),
    ),
    rules=(
        DemoRule(
            10,
            "Emergency repairs",
            "housing-urgent",
            service="housing-repair",
            keywords="flood, flooding, no heating, no hot water, sparking, exposed wires, gas",
        ),
        DemoRule(
            20, "Hate graffiti to community safety", "community-safety", "graffiti", keywords="racist, hate, homophobic"
        ),
    ),
    templates=(
        (
            "Graffiti: removed",
            "Dear {name},\n\nThe graffiti you reported ({reference}) has been removed. Thank you for telling us.",
            "graffiti",
        ),
        (
            "Repair: appointment offered",
            "Dear {name},\n\nWe can send an operative for your repair ({reference}). Please call 01632 960500 to "
            "choose a morning or afternoon appointment.",
            "housing-repair",
        ),
        (
            "Abandoned vehicle: DVLA check",
            "Dear {name},\n\nWe have checked the vehicle you reported ({reference}) with the DVLA. It is taxed, so "
            "it is not abandoned: we cannot remove it.",
            "abandoned-vehicle",
        ),
    ),
    articles=(
        (
            "Which repairs are emergencies?",
            "We attend within 24 hours for: no heating or hot water (in winter, or for vulnerable residents), "
            "uncontainable leaks, unsafe electrics, and homes that cannot be secured. Other repairs are booked "
            "within 20 working days.",
            "emergency, 24 hours, leak, heating",
            "housing-repair",
        ),
        (
            "Damp and mould in your home",
            "Report damp and mould as soon as you see it. We inspect within 10 working days and tell you what we "
            "will do. Meanwhile, open windows after showering and cooking and keep furniture away from outside "
            "walls.",
            "damp, mould, condensation",
            "housing-repair",
        ),
        (
            "When is a vehicle abandoned?",
            "A vehicle is not abandoned just because it has not moved. We look for no tax, flat tyres, broken "
            "windows or rubbish inside. Untaxed vehicles are reported to the DVLA, who may clamp or remove them.",
            "abandoned vehicle, untaxed, DVLA",
            "abandoned-vehicle",
        ),
        (
            "Dog fouling fines",
            "Owners who do not clean up after their dog can be fined £100 by our wardens. Any public litter bin "
            "can be used for bagged dog waste.",
            "dog fouling, fine, warden, bin",
            "dog-fouling",
        ),
    ),
    cases=(
        DemoCase(
            "graffiti",
            "Racist graffiti sprayed on the underpass by the station.",
            {"offensive": "yes", "surface": "bridge"},
            {"given_name": "Tom", "family_name": "Hughes", "email": "tom.hughes@example.org"},
            location={"address": "Station underpass", "postcode": "SV1 4RT"},
            statuses=("in_progress",),
        ),
        DemoCase(
            "housing-repair",
            "Water is pouring through the bathroom ceiling from the flat above. Flooding the floor.",
            {"tenancy_reference": "T204118", "repair_type": "leak", "rooms": ["bathroom"]},
            {"given_name": "Grace", "family_name": "Okafor", "phone": "07700 900789"},
            channel="phone",
        ),
        DemoCase(
            "abandoned-vehicle",
            "A white van with flat tyres has been parked on the verge for over a month.",
            {"registration": "SV05 XYZ", "make_colour": "White Transit van", "days": "35"},
            location={"address": "Verge opposite 20 Park Road", "postcode": "SV2 8LM"},
            statuses=("waiting_on_third_party",),
        ),
    ),
)
