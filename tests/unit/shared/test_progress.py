import io

from shared.progress import ProgressBar, render


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_shows_how_far_along_the_work_is() -> None:
    assert render("export", 0, 40) == f"export [{'-' * 30}] 0/40   0%"
    assert render("export", 20, 40) == f"export [{'#' * 15}{'-' * 15}] 20/40  50%"
    assert render("export", 0, 0).endswith("0/0 100%")


def test_the_bar_draws_on_a_terminal_only_unless_asked() -> None:
    piped = io.StringIO()
    bar = ProgressBar("report", stream=piped)
    bar.update(1, 2)
    bar.update(2, 2)
    bar.close()
    assert piped.getvalue() == ""

    asked = io.StringIO()
    forced = ProgressBar("report", enabled=True, stream=asked)
    forced.update(2, 2)
    forced.close()
    assert asked.getvalue().startswith("\rreport [") and asked.getvalue().endswith("100%\n")

    terminal = Terminal()
    shown = ProgressBar("report", stream=terminal)
    shown.update(1, 1)
    shown.close()
    assert "1/1" in terminal.getvalue()
    silenced = Terminal()
    ProgressBar("report", enabled=False, stream=silenced).update(1, 1)
    assert silenced.getvalue() == ""
