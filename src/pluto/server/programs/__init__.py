"""Research programs: experiments, analyses and files gathered as evidence for a goal."""
