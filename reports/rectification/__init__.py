"""问题整改台账 and 评价结果应用 (DESIGN §11): items raised from a report, through the workflow to 销号."""
