"""Page numbers come from the query string: whatever a visitor types, a list gets a sane page."""
from forum.core.pagination import MAX_PAGE, MAX_PER_PAGE, Page, clamp_page


def test_bad_page_numbers_fall_back_to_the_first_page_and_the_default_size():
    assert clamp_page("x", None) == (1, 20)
    assert clamp_page(None, "", default_per_page=50) == (1, 50)
    assert clamp_page("-3", "0") == (1, 1)
    assert clamp_page("3", "7") == (3, 7)


def test_huge_page_numbers_are_capped():
    assert clamp_page(10**9, 10**9) == (MAX_PAGE, MAX_PER_PAGE)


def test_a_page_knows_its_neighbours():
    empty = Page([], 1, 20, 0)
    assert (empty.pages, empty.has_prev, empty.has_next) == (1, False, False)
    middle = Page(["a"] * 20, 2, 20, 41)
    assert (middle.pages, middle.has_prev, middle.has_next) == (3, True, True)
    last = Page(["a"], 3, 20, 41)
    assert (last.has_prev, last.has_next) == (True, False)
