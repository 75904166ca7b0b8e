"""Northfield District Council: bins, street cleaning, roads and lights, noise, council tax and benefits."""

from borough.crm.demo.catalogue import DAYS, HOURS, DemoCase, DemoCatalogue, DemoQuestion, DemoRule, DemoService, Q

NORTHFIELD = DemoCatalogue(
    teams=(
        ("waste", "Waste and recycling", False),
        ("highways", "Highways and street lighting", False),
        ("environmental-health", "Environmental health", False),
        ("revenues", "Council tax", False),
        ("benefits", "Benefits", False),
        ("triage", "Customer services triage", True),
    ),
    services=(
        DemoService(
            "missed-bin",
            "Report a missed bin collection",
            "Bins and recycling",
            "waste",
            (2, DAYS),
            "Tell us if your bin was not emptied on your collection day. Please wait until the end of the day "
            "before reporting: crews work until 6pm.",
            "bin, bins, missed, collection, recycling, rubbish, refuse",
            questions=(
                DemoQuestion(
                    "bin_type",
                    "Which bin was missed?",
                    Q.SINGLE_CHOICE,
                    True,
                    choices=(
                        ("general", "General waste (black bin)"),
                        ("recycling", "Mixed recycling (blue bin)"),
                        ("garden", "Garden waste (brown bin)"),
                        ("food", "Food waste caddy"),
                    ),
                ),
                DemoQuestion(
                    "collection_day",
                    "Which day should it have been collected?",
                    Q.DATETIME,
                    True,
                    "For example, 2026-01-19",
                ),
            ),
        ),
        DemoService(
            "fly-tipping",
            "Report fly-tipping",
            "Street cleaning",
            "waste",
            (3, DAYS),
            "Rubbish dumped on a road, pavement, verge or other public land. Do not touch anything that could be "
            "dangerous, such as needles or asbestos.",
            "fly-tipping, flytipping, dumped, dumping, rubbish, mattress, sofa",
            needs_location=True,
            allow_anonymous=True,
            priority="high",
            questions=(
                DemoQuestion(
                    "waste_type",
                    "What has been dumped?",
                    Q.MULTI_CHOICE,
                    True,
                    "Select all that apply",
                    choices=(
                        ("household", "Household rubbish or bags"),
                        ("furniture", "Furniture or mattresses"),
                        ("building", "Building rubble or plasterboard"),
                        ("garden", "Garden waste"),
                        ("tyres", "Tyres"),
                        ("hazardous", "Asbestos, chemicals or needles"),
                    ),
                ),
                DemoQuestion(
                    "size",
                    "How much is there?",
                    Q.SINGLE_CHOICE,
                    True,
                    choices=(
                        ("small", "A few bags: it would fit in a car boot"),
                        ("medium", "It would fill a small van"),
                        ("large", "It would need a lorry"),
                    ),
                ),
            ),
        ),
        DemoService(
            "pothole",
            "Report a pothole",
            "Roads and pavements",
            "highways",
            (24, HOURS),
            "A hole or broken surface in a road, pavement or cycle lane. If it is an immediate danger, phone us "
            "on 01632 960000 at any time.",
            "pothole, road, hole, pavement, tarmac",
            needs_location=True,
            allow_anonymous=True,
            priority="high",
            questions=(
                DemoQuestion("depth", "About how deep is it, in centimetres?", Q.NUMBER, hint="A guess is fine"),
                DemoQuestion(
                    "surface",
                    "Where is it?",
                    Q.SINGLE_CHOICE,
                    True,
                    choices=(("road", "In the road"), ("pavement", "On the pavement"), ("cycle", "In a cycle lane")),
                ),
            ),
        ),
        DemoService(
            "street-light",
            "Report a street light fault",
            "Roads and pavements",
            "highways",
            (5, DAYS),
            "A street light that is out, stays on in the day, flickers or is damaged.",
            "street light, lamp post, streetlight, light, dark",
            needs_location=True,
            allow_anonymous=True,
            questions=(
                DemoQuestion(
                    "column_number",
                    "What is the number on the lamp post?",
                    hint="It is on a small plate, about head height. Leave blank if you cannot see one.",
                ),
                DemoQuestion(
                    "fault",
                    "What is wrong with it?",
                    Q.SINGLE_CHOICE,
                    True,
                    choices=(
                        ("out", "It is not working"),
                        ("day", "It is on during the day"),
                        ("flickering", "It is flickering"),
                        ("damaged", "It is damaged or leaning"),
                    ),
                ),
            ),
        ),
        DemoService(
            "noise",
            "Report a noise problem",
            "Environmental health",
            "environmental-health",
            (10, DAYS),
            "Noise from a home or business that happens often and disturbs you: music, barking, alarms, "
            "building work at night. We will send you diary sheets to record it.",
            "noise, music, loud, barking, party, alarm",
            questions=(
                DemoQuestion(
                    "source",
                    "What is the noise?",
                    Q.SINGLE_CHOICE,
                    True,
                    choices=(
                        ("music", "Loud music or TV"),
                        ("dog", "A barking dog"),
                        ("alarm", "An alarm"),
                        ("building", "Building or DIY work"),
                        ("business", "A pub, club or business"),
                        ("other", "Something else"),
                    ),
                ),
                DemoQuestion("when", "When does it usually happen?", hint="For example, most weekends after 11pm"),
            ),
        ),
        DemoService(
            "council-tax",
            "Ask about council tax",
            "Council tax",
            "revenues",
            (10, DAYS),
            "Questions about your bill, moving home, discounts and exemptions, or paying.",
            "council tax, bill, band, discount, single person, direct debit",
            questions=(
                DemoQuestion(
                    "account_number",
                    "Your council tax account number",
                    hint="It is on your bill. Leave blank if you do not know it.",
                ),
                DemoQuestion(
                    "topic",
                    "What is your question about?",
                    Q.SINGLE_CHOICE,
                    True,
                    choices=(
                        ("bill", "My bill"),
                        ("moving", "Moving home"),
                        ("discount", "Discounts and exemptions"),
                        ("paying", "Paying, or my instalments"),
                    ),
                ),
            ),
        ),
        DemoService(
            "benefits",
            "Ask about housing benefit or council tax support",
            "Benefits",
            "benefits",
            (10, DAYS),
            "Questions about a claim for housing benefit or council tax support, or to tell us about a change.",
            "benefit, housing benefit, council tax support, claim, universal credit",
            questions=(
                DemoQuestion("claim_reference", "Your claim reference", hint="Leave blank if you have not claimed yet"),
                DemoQuestion(
                    "topic",
                    "What is your question about?",
                    Q.SINGLE_CHOICE,
                    True,
                    choices=(
                        ("new", "Making a new claim"),
                        ("change", "A change in my circumstances"),
                        ("payment", "A payment"),
                    ),
                ),
            ),
        ),
    ),
    rules=(
        DemoRule(5, "Dangerous road defects", "highways", keywords="dangerous, collapsed, sinkhole, open manhole"),
        DemoRule(
            10,
            "Hazardous fly-tipping to environmental health",
            "environmental-health",
            service="fly-tipping",
            keywords="asbestos, needles, syringes, chemicals, hazardous",
        ),
        DemoRule(
            20, "Rural street lights (NF3, NF4) to highways", "highways", "street-light", postcode_prefixes="NF3, NF4"
        ),
    ),
    templates=(
        (
            "Missed bin: return collection booked",
            "Dear {name},\n\nThank you for reporting the missed collection ({reference}). Our crew will return "
            "within two working days. Please leave your bin out until it has been emptied.",
            "missed-bin",
        ),
        (
            "Fly-tipping: cleared",
            "Dear {name},\n\nThe fly-tipping you reported ({reference}) has been cleared. We have checked it for "
            "evidence of who dumped it. Thank you for helping keep Northfield clean.",
            "fly-tipping",
        ),
        (
            "Pothole: inspection booked",
            "Dear {name},\n\nA highways inspector will look at the pothole you reported ({reference}) within 24 "
            "working hours. Dangerous defects are made safe the same day.",
            "pothole",
        ),
        (
            "General: we need more information",
            "Dear {name},\n\nTo deal with your request about {service} ({reference}) we need a little more "
            "information. Please reply to this email or call us on 01632 960000.",
            "",
        ),
    ),
    articles=(
        (
            "When is my bin collected?",
            "General waste (black bin) and mixed recycling (blue bin) are collected on alternate weeks. Garden "
            "waste (brown bin) is collected fortnightly from March to November for subscribers. Put bins out by "
            "6am on your collection day. Bank holiday collections move one day later that week.",
            "bin, collection day, calendar, bank holiday",
            "missed-bin",
        ),
        (
            "What happens after I report fly-tipping?",
            "We aim to clear fly-tipping from public land within three working days, and hazardous waste "
            "(asbestos, chemicals, needles) the same day. Fly-tipping on private land is the landowner's "
            "responsibility. We look for evidence and prosecute where we can: fines are up to £1,000.",
            "fly-tipping, private land, fine, evidence",
            "fly-tipping",
        ),
        (
            "How we decide which potholes to repair",
            "Inspectors grade each defect. A pothole 40mm deep or more on a road (20mm on a pavement) is repaired: "
            "within 24 hours if it is dangerous, otherwise within 28 days. Smaller defects are added to planned "
            "resurfacing.",
            "pothole, depth, repair, resurfacing, compensation",
            "pothole",
        ),
        (
            "Council tax discounts and exemptions",
            "If you live alone you can get a 25% single person discount. Empty and unfurnished homes, full-time "
            "students and people with a severe mental impairment may be exempt or disregarded. Tell us within 21 "
            "days of a change.",
            "single person discount, exemption, student, empty property",
            "council-tax",
        ),
        (
            "Applying for council tax support",
            "People on a low income can apply for council tax support, whether they rent or own their home. "
            "Apply online with proof of income and savings; if you claim Universal Credit, apply as soon as you "
            "claim it, as support starts from the date we receive your application.",
            "council tax support, reduction, universal credit, low income",
            "benefits",
        ),
    ),
    cases=(
        DemoCase(
            "missed-bin",
            "Our blue recycling bin was not emptied this morning. The rest of the street's were.",
            {"bin_type": "recycling", "collection_day": "2026-01-19"},
            {
                "given_name": "Jane",
                "family_name": "Smith",
                "email": "jane.smith@example.org",
                "address": {"line_1": "12 Acacia Avenue", "town": "Northfield", "postcode": "NF1 2AB"},
            },
            location={"postcode": "NF1 2AB", "address": "12 Acacia Avenue, Northfield"},
            statuses=("open",),
        ),
        DemoCase(
            "pothole",
            "Large pothole on Station Road outside the post office. Cars are swerving round it.",
            {"depth": "12", "surface": "road"},
            {"given_name": "Omar", "family_name": "Khan", "phone": "07700 900456"},
            channel="phone",
            location={
                "postcode": "NF2 4CD",
                "address": "Station Road, by the post office",
                "latitude": "52.634500",
                "longitude": "-1.129800",
            },
            statuses=("in_progress",),
            update="An inspector is visiting today and will make it safe.",
        ),
        DemoCase(
            "fly-tipping",
            "Broken asbestos sheets and bags of rubble dumped in the lay-by on Mill Lane.",
            {"waste_type": ["building", "hazardous"], "size": "medium"},
            location={"address": "Lay-by on Mill Lane, near the bridge", "postcode": "NF3 7GH"},
        ),
        DemoCase(
            "council-tax",
            "I am moving out of my flat at the end of the month. How do I close my account?",
            {"topic": "moving"},
            {"given_name": "Priya", "family_name": "Patel", "email": "priya.patel@example.org"},
            channel="email",
            statuses=("waiting_on_resident",),
            update="Thank you. Please tell us your new address and the date you move so we can close your account.",
        ),
        DemoCase(
            "street-light",
            "The lamp post outside number 4 has been out for a week.",
            {"column_number": "NF-1142", "fault": "out"},
            location={"address": "4 Chestnut Close", "postcode": "NF1 5QT"},
            statuses=("in_progress", "resolved"),
        ),
    ),
)
