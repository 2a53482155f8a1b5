"""What every chart shares: marks for uncertain dates and statuses (``marks``), label packing and
measuring (``labels``), the date axis and display zone (``dates``), lane shading (``lanes``),
legends, titles and footnotes (``legends``) and the milestone lines of dated charts
(``milestones``)."""
