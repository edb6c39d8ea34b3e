"""Names as the platforms write them, compared with the roster's: the same letters after Unicode normalisation
(NFKC), with invisible and format characters (a zero-width space, a direction mark) removed, case aside, the
words in any rotation ("van Dyke, Mary Ann", "Mary Ann van Dyke" and Canvas's `vandykemaryann` are one name)."""
import re
import unicodedata

INVISIBLE = ("Cf", "Cc", "Co", "Cs", "Cn", "Zl", "Zp")


def normal(text):
    """`text` in NFKC with every invisible or format character removed and its spaces made single."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(char for char in text if unicodedata.category(char) not in INVISIBLE)
    return " ".join(text.split())


def altered(text):
    """Whether `text` holds characters that normal() removes or changes (an invisible one, a look-alike form)."""
    return normal(text) != " ".join((text or "").split())


def keys(name):
    """The ways a platform may write `name`: its words' letters in lower case (every character that is not a
    letter, a digit or _ removed, as Canvas does), joined in every rotation of the words."""
    words = [re.sub(r"\W", "", word.lower()) for word in re.split(r"[\s,]+", normal(name))]
    words = [word for word in words if word]
    return {"".join(words[start:] + words[:start]) for start in range(len(words))}


def display(sortable):
    """A "Last, First" name (Canvas's sortable name) as "First Last"; any other name as it is."""
    last, comma, first = normal(sortable).partition(", ")
    return f"{first} {last}" if comma and first else normal(sortable)
