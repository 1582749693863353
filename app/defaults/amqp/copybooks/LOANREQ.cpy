      *****************************************************************
      * LOANREQ: ONE CREDIT-RISK SCORING REQUEST PER MESSAGE (DEMO).
      * EBCDIC (CP037). UNKNOWN VALUES OF OPTIONAL FIELDS ARE SPACES,
      * WHICH IS WHY THOSE ARE PIC X.
      *****************************************************************
       01  LOAN-REQUEST.
           05  APPLICATION-ID          PIC X(12).
           05  APPLICANT-AGE           PIC 9(3).
           05  ANNUAL-INCOME           PIC S9(9)V99 COMP-3.
           05  EMPLOYMENT-YEARS        PIC X(4).
           05  HOME-OWNERSHIP          PIC X(1).
               88  HOME-RENT           VALUE 'R'.
               88  HOME-OWN            VALUE 'O'.
               88  HOME-MORTGAGE       VALUE 'M'.
               88  HOME-OTHER          VALUE 'X'.
           05  RESIDENCE-YEARS         PIC 9(2).
           05  DEPENDANTS              PIC 9(2).
           05  LOAN-AMOUNT             PIC S9(7)V99 COMP-3.
           05  LOAN-TERM-MONTHS        PIC 9(3).
           05  LOAN-PURPOSE            PIC X(2).
           05  INTEREST-RATE           PIC 9(2)V99.
           05  HAS-COSIGNER            PIC X(1).
           05  DEBT-TO-INCOME          PIC X(6).
           05  REVOLVING-UTILISATION   PIC X(6).
           05  OPEN-ACCOUNTS           PIC 9(2).
           05  CREDIT-HISTORY-YEARS    PIC X(4).
           05  DELINQUENCIES-2Y        PIC 9(2).
           05  MONTHS-SINCE-DELINQ     PIC X(3).
           05  INQUIRIES-6M            PIC 9(2).
           05  BANKRUPTCIES            PIC 9(2).
           05  SAVINGS-BALANCE         PIC X(11).
