      *****************************************************************
      * LOANRESP: THE REPLY TO ONE LOANREQ, RESULT OR ERROR (DEMO).
      * RESULT-CODE 00 SCORED, 10 BAD INPUT, 20 UNKNOWN MODEL,
      * 30 SCORING UNAVAILABLE, 90 SCORING FAILED.
      *****************************************************************
       01  LOAN-RESPONSE.
           05  APPLICATION-ID          PIC X(12).
           05  RESULT-CODE             PIC X(2).
           05  RISK-SCORE              PIC 9(4).
           05  PROBABILITY             PIC 9V9(6).
           05  DECISION                PIC X(1).
           05  REASON-CODE             PIC X(3) OCCURS 3 TIMES.
           05  MODEL-VERSION           PIC X(20).
           05  ERROR-TEXT              PIC X(80).
